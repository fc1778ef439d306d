import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { NumberStore, parseInteger } from '../src/index.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const child = fileURLToPath(new URL('./fixtures/sum-child.ts', import.meta.url));
const dir = mkdtempSync(path.join(os.tmpdir(), 'sum-durable-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the app, feeds `add i` lines, and kill -9s it once `killAfter` adds are acknowledged. */
function runUntilKilled(file: string, from: number, killAfter: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', child, file], {
      cwd: root,
      env: { ...process.env, NODE_OPTIONS: `--import ${process.env.PEERSCOPE_LOOPBACK_GUARD}` },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const acked: number[] = [];
    let buf = '';
    let stderr = '';
    let started = false;
    p.stderr.on('data', (d) => (stderr += d));
    p.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (!started && line.startsWith('node ')) {
          started = true;
          // Many adds in flight at once, so the kill lands between a write and its acknowledgement.
          for (let i = from; i < from + killAfter * 3; i++) p.stdin.write(`add ${i}\n`);
        }
        const m = /^added (-?\d+) /.exec(line);
        if (m) {
          acked.push(Number(m[1]));
          if (acked.length === killAfter) p.kill('SIGKILL');
        }
      }
    });
    p.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(acked);
      else reject(new Error(`child exited ${code} before the kill: ${stderr}`));
    });
  });
}

describe('durability', () => {
  it('kill -9 during adds loses no acknowledged number, and a restart keeps them all', async () => {
    const file = path.join(dir, 'node.json');
    const acked: number[] = [];
    let next = 1;
    for (const killAfter of [25, 40, 15]) {
      const got = await runUntilKilled(file, next, killAfter);
      expect(got.length).toBeGreaterThanOrEqual(killAfter);
      acked.push(...got);
      const stored = (await NumberStore.open(file)).numbers.map(Number);
      for (const n of acked) expect(stored).toContain(n);
      // Nothing invented or duplicated: the file holds 1..k in order.
      expect(stored).toEqual(stored.map((_, i) => i + 1));
      next = stored.length + 1;
    }
  });

  it('parses integers of any size and refuses anything else', () => {
    expect(parseInteger(' 123456789012345678901234567890 ')).toBe(123456789012345678901234567890n);
    expect(parseInteger('-7')).toBe(-7n);
    for (const bad of ['1.5', '1e3', '0x10', '', 'abc', '5 apples']) expect(() => parseInteger(bad)).toThrow(/not a whole number/);
  });

  it('serialises concurrent adds and keeps them across reopen', async () => {
    const file = path.join(dir, 'concurrent.json');
    const s = await NumberStore.open(file);
    await Promise.all([1n, 2n, 3n, 10n ** 40n].map((v) => s.add(v)));
    const again = await NumberStore.open(file);
    expect(again.numbers).toEqual([1n, 2n, 3n, 10n ** 40n]);
    expect(again.subtotal).toBe(6n + 10n ** 40n);
  });
});
