import { INITIAL_SCREEN, renderScreen, sortOrder, type ScreenInput, type ScreenState } from './views/screen.js';
import { COLOUR, PLAIN } from './views/style.js';

const ENTER = '\x1b[?1049h\x1b[?25l';
const LEAVE = '\x1b[?25h\x1b[?1049l';

export interface ScreenOptions {
  colour: boolean;
  onQuit: () => void;
  /** Keys come from here when it is a terminal. */
  input?: NodeJS.ReadStream;
}

/**
 * The live view on a terminal: the alternate screen (restored on exit, however the process ends),
 * redrawn in place at exactly the terminal's size, on each snapshot, key and resize. The keys are
 * htop's (see KEYS_HELP). Rendering is views/screen.ts (pure); this only moves bytes and keys.
 */
export class Screen {
  private state: ScreenState = INITIAL_SCREEN;
  private last?: Omit<ScreenInput, 'size' | 'style'>;
  private active = false;
  private room = 10;
  private readonly sorts: string[];
  private readonly restore = () => this.leave();
  private readonly onResize = () => this.redraw();
  private readonly onKeys = (data: Buffer) => this.keys(data.toString('utf8'));

  constructor(private readonly out: NodeJS.WriteStream, private readonly options: ScreenOptions) {
    this.sorts = sortOrder();
  }

  enter(): void {
    if (this.active) return;
    this.active = true;
    this.out.write(ENTER);
    process.on('exit', this.restore);
    this.out.on('resize', this.onResize);
    const input = this.options.input;
    if (input?.isTTY) {
      input.setRawMode(true);
      input.on('data', this.onKeys);
      input.resume();
    }
  }

  /** Back to the normal screen, keys back to the terminal's line discipline. Idempotent. */
  leave(): void {
    if (!this.active) return;
    this.active = false;
    process.off('exit', this.restore);
    this.out.off('resize', this.onResize);
    const input = this.options.input;
    if (input?.isTTY) {
      input.off('data', this.onKeys);
      input.setRawMode(false);
      input.pause();
    }
    if (!this.out.destroyed) this.out.write(LEAVE);
  }

  show(input: Omit<ScreenInput, 'size' | 'style'>): void {
    this.last = input;
    this.redraw();
  }

  /** While the connections close: say so on the last line. */
  closing(): void {
    if (!this.active) return;
    const rows = this.out.rows || 24;
    this.out.write(`\x1b[${rows};1H\x1b[2Kclosing connections…`);
  }

  private redraw(): void {
    if (!this.active || !this.last || this.out.destroyed) return;
    const size = { columns: this.out.columns || 80, rows: this.out.rows || 24 };
    const { lines, state, room } = renderScreen({ ...this.last, size, style: this.options.colour ? COLOUR : PLAIN }, this.state);
    this.state = state;
    this.room = Math.max(1, room);
    let frame = '';
    for (let i = 0; i < lines.length; i++) frame += `\x1b[${i + 1};1H\x1b[2K${lines[i]}`;
    this.out.write(frame);
  }

  private set(change: Partial<ScreenState>): void {
    this.state = { ...this.state, ...change };
    this.redraw();
  }

  private moveSort(step: number): void {
    const i = this.sorts.indexOf(this.state.sort);
    const next = this.sorts[(i + step + this.sorts.length) % this.sorts.length];
    this.set({ sort: next, reverse: false });
  }

  /** Handles what the terminal sent (one or several keys). */
  keys(text: string): void {
    let i = 0;
    while (i < text.length) {
      const rest = text.slice(i);
      const seq = /^\x1b(\[[0-9;]*[A-Za-z~]|O[A-Za-z])/.exec(rest);
      const key = seq ? seq[0] : rest[0];
      i += key.length;
      this.key(key);
    }
  }

  private key(key: string): void {
    const s = this.state;
    if (s.editingFilter) {
      if (key === '\r' || key === '\n') this.set({ editingFilter: false });
      else if (key === '\x1b') this.set({ editingFilter: false, filter: '' });
      else if (key === '\x7f' || key === '\b') this.set({ filter: s.filter.slice(0, -1), top: 0 });
      else if (key === '\x03') this.options.onQuit();
      else if (key.length === 1 && key >= ' ') this.set({ filter: s.filter + key, top: 0 });
      return;
    }
    if (s.help && key !== '\x03' && key !== 'q') return this.set({ help: false });
    switch (key) {
      case 'q': case 'Q': case '\x03': this.options.onQuit(); return;
      case '\x1b[A': case '\x1bOA': case 'k': return this.set({ top: s.top - 1 });
      case '\x1b[B': case '\x1bOB': case 'j': return this.set({ top: s.top + 1 });
      case '\x1b[5~': return this.set({ top: s.top - this.room });
      case '\x1b[6~': case ' ': return this.set({ top: s.top + this.room });
      case '\x1b[H': case '\x1b[1~': case '\x1bOH': case 'g': return this.set({ top: 0 });
      case '\x1b[F': case '\x1b[4~': case '\x1bOF': case 'G': return this.set({ top: Number.MAX_SAFE_INTEGER });
      case 's': case '>': case '.': return this.moveSort(1);
      case '<': case ',': return this.moveSort(-1);
      case 'r': case 'I': return this.set({ reverse: !s.reverse });
      case '/': return this.set({ editingFilter: true });
      case 'f': return this.set({ failedOnly: !s.failedOnly, top: 0 });
      case '?': case 'h': return this.set({ help: true });
      case '\x1b': return this.set({ filter: '', failedOnly: false });
      default: return;
    }
  }
}
