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
  const child = spawn('script', ['-qec', `${process.execPath} ${BIN} ${args.join(' ')}`, '/dev/null'], {
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
