import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

export const BIN = fileURLToPath(new URL('../../bin/run.js', import.meta.url));

/** Runs the built CLI as a user would, with the loopback guard preloaded into the child. */
export function startCli(args: string[]): ChildProcess & { stdoutText: () => string; stderrText: () => string; exited: Promise<number | null> } {
  const guard = process.env.PEERSCOPE_LOOPBACK_GUARD!;
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, NODE_OPTIONS: `--import ${guard}`, FORCE_COLOR: '0' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return Object.assign(child, { stdoutText: () => out, stderrText: () => err, exited });
}

export async function runCli(args: string[]) {
  const child = startCli(args);
  child.stdin!.end();
  const code = await child.exited;
  return { code, stdout: child.stdoutText(), stderr: child.stderrText() };
}

/** A usage mistake is one line on stderr naming it, nothing on stdout, exit code 2. */
export async function expectUsageError(args: string[], message: RegExp): Promise<void> {
  const { code, stderr, stdout } = await runCli(args);
  expect(code).toBe(2);
  expect(stderr.trim().split('\n')).toHaveLength(1);
  expect(stderr).toMatch(message);
  expect(stdout).toBe('');
}
