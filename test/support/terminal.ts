import { execFileSync, spawn } from 'node:child_process';
import { BIN } from './cli.js';
import { until } from './until.js';

/**
 * util-linux `script` gives a child a real pseudo-terminal. A test that needs one fails without it,
 * saying what to install (never skips: CI would pass without having run it).
 */
export function requireScript(): void {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' });
  } catch {
    throw new Error(
      "util-linux `script` is not installed; the terminal tests need it for a pseudo-terminal. Install it (Debian: `apt-get install -y bsdutils`, elsewhere the `util-linux` package); .ci/run does this when it is missing.",
    );
  }
}

/**
 * Runs the built CLI on a pseudo-terminal (with the loopback guard preloaded). The screen is everything
 * it drew; prompts are redrawn as they are answered, so `see` and `answer` look only past the last
 * text they found.
 */
export function startOnTerminal(args: string[], size = { columns: 200, lines: 40 }) {
  requireScript();
  const guard = process.env.PEERSCOPE_LOOPBACK_GUARD!;
  // exec: the CLI replaces the shell script starts, so a Ctrl-C reaches the CLI alone (a shell left
  // waiting, dash for one, would die of the SIGINT itself and script would report 130).
  const child = spawn('script', ['-qec', `exec ${process.execPath} ${BIN} ${args.join(' ')}`, '/dev/null'], {
    env: { ...process.env, NODE_OPTIONS: `--import ${guard}`, COLUMNS: String(size.columns), LINES: String(size.lines) },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let screen = '';
  let seen = 0;
  child.stdout.on('data', (d) => (screen += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('close', r));
  const see = async (text: string) => {
    await until(() => screen.indexOf(text, seen) >= 0, `"${text}" on the terminal`);
    seen = screen.indexOf(text, seen) + text.length;
  };
  return {
    child,
    exited,
    screen: () => screen,
    see,
    /** Waits for the prompt, then types the keys. */
    answer: async (prompt: string, keys: string) => {
      await see(prompt);
      child.stdin.write(keys);
    },
  };
}

/**
 * The built CLI on a pseudo-terminal of a given size, its output fed to a real terminal emulator
 * (xterm.js, headless): `lines()` is what a user would see now, `altScreen()` whether the alternate
 * screen is up. `resize` changes the pseudo-terminal's size (the kernel sends SIGWINCH), `press` types.
 */
export async function startOnScreen(args: string[], size: { columns: number; rows: number }, env: Record<string, string> = {}) {
  requireScript();
  // xterm's headless build is CommonJS: its exports arrive as `default` or as named, by loader.
  const xterm = (await import('@xterm/headless')) as typeof import('@xterm/headless') & { default?: typeof import('@xterm/headless') };
  const { Terminal } = xterm.default ?? xterm;
  const term = new Terminal({ cols: size.columns, rows: size.rows, allowProposedApi: true, scrollback: 1000 });
  const guard = process.env.PEERSCOPE_LOOPBACK_GUARD!;
  // The shell inside script says which pseudo-terminal it got, sizes it, then becomes the CLI.
  const inner = `echo "PTY=$(tty)"; stty rows ${size.rows} cols ${size.columns}; exec ${process.execPath} ${BIN} ${args.map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ')}`;
  const startedAt = Date.now();
  const child = spawn('script', ['-qec', inner, '/dev/null'], {
    env: { ...process.env, NODE_OPTIONS: `--import ${guard}`, TERM: 'xterm-256color', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let raw = '';
  let pty = '';
  let pending = Promise.resolve();
  let firstOutputAt: number | undefined;
  child.stdout.on('data', (d: Buffer) => {
    let text = d.toString('utf8');
    if (!pty) {
      const m = /PTY=(\S+)\r?\n/.exec(raw + text);
      if (m) {
        pty = m[1];
        const all = raw + text;
        raw = '';
        text = all.slice(m.index + m[0].length);
      } else {
        raw += text;
        return;
      }
    }
    if (text && firstOutputAt === undefined) firstOutputAt = Date.now();
    raw += text;
    pending = pending.then(() => new Promise<void>((r) => term.write(text, r)));
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((r) => child.on('close', r));
  const lines = async () => {
    await pending;
    const b = term.buffer.active;
    const out: string[] = [];
    for (let i = 0; i < term.rows; i++) out.push(b.getLine(b.viewportY + i)?.translateToString(true) ?? '');
    return out;
  };
  const text = async () => (await lines()).join('\n');
  return {
    child, exited, term,
    raw: () => raw,
    stderr: () => stderr,
    lines,
    text,
    altScreen: async () => {
      await pending;
      return term.buffer.active.type === 'alternate';
    },
    /** ms from spawning to the first byte the CLI drew. */
    firstOutputMs: () => (firstOutputAt === undefined ? undefined : firstOutputAt - startedAt),
    /** Waits until the screen shows `pattern`. */
    see: async (pattern: string | RegExp, what?: string) => {
      const match = (t: string) => (typeof pattern === 'string' ? t.includes(pattern) : pattern.test(t));
      const start = Date.now();
      let last = '';
      while (!match((last = await text()))) {
        if (Date.now() - start > 20_000) throw new Error(`timed out waiting for: ${what ?? String(pattern)}\n--- screen ---\n${last}\n--- stderr ---\n${stderr}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    press: (keys: string) => child.stdin.write(keys),
    /** Signals the CLI itself (script's child), not script. */
    signal: (sig: NodeJS.Signals) => {
      const pid = Number(execFileSync('pgrep', ['-P', String(child.pid)]).toString().trim().split('\n')[0]);
      process.kill(pid, sig);
    },
    resize: async (columns: number, rows: number) => {
      await until(() => pty !== '', 'the pseudo-terminal name');
      execFileSync('stty', ['-F', pty, 'rows', String(rows), 'cols', String(columns)]);
      term.resize(columns, rows);
    },
  };
}
