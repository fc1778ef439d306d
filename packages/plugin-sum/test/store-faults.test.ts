// Issue 9, section 3: a sum store on a full disk (a small tmpfs made by the test) and on a disk made
// read-only mid-run: a clear error, nothing acknowledged lost, nothing written before corrupted.
// Mounting needs root (CAP_SYS_ADMIN), as .ci/run has; without it the test fails and says so.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { NumberStore, StoreError } from '../src/index.js';

const mounts: string[] = [];
afterEach(() => {
  for (const dir of mounts.splice(0)) {
    try {
      execFileSync('umount', [dir]);
    } catch {
      // already gone
    }
    rmSync(dir, { recursive: true, force: true });
  }
});

function tmpfs(sizeKiB: number): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sum-tmpfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKiB}k`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`this test mounts a small tmpfs to fill it: run it as root (CAP_SYS_ADMIN), as .ci/run does. ${(err as { stderr?: Buffer }).stderr?.toString().trim() ?? err}`);
  }
  mounts.push(dir);
  return dir;
}

const onDisk = (file: string) => (JSON.parse(readFileSync(file, 'utf8')) as { numbers: string[] }).numbers.map(BigInt);

describe('sum store faults', () => {
  it('a full disk: the add that does not fit is refused with a clear error, every acknowledged number kept, no temp file left', async () => {
    const dir = tmpfs(16);
    const file = path.join(dir, 'numbers.json');
    const store = await NumberStore.open(file);
    const acknowledged: bigint[] = [];
    let error: unknown;
    // Each add rewrites the file (and a temp copy): big numbers fill 16 KiB within a few dozen adds.
    for (let i = 0; i < 1_000 && !error; i++) {
      const value = 10n ** 200n + BigInt(i);
      try {
        await store.add(value);
        acknowledged.push(value);
      } catch (err) {
        error = err;
      }
    }
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).code).toBe('ENOSPC');
    expect((error as Error).message).toMatch(/ENOSPC \(the disk is full\); it was not added, the file still holds the \d+ numbers added before/);
    expect(acknowledged.length).toBeGreaterThan(0);
    expect(onDisk(file)).toEqual(acknowledged);
    expect(readdirSync(dir)).toEqual(['numbers.json']);
    // A smaller number may still fit; the store goes on after the refusal.
    expect(store.count).toBe(acknowledged.length);
    expect((await NumberStore.open(file)).numbers).toEqual(acknowledged);
  });

  it('a disk made read-only mid-run: a clear error, the file intact', async () => {
    const dir = tmpfs(256);
    const file = path.join(dir, 'numbers.json');
    const store = await NumberStore.open(file);
    for (const v of [1n, 2n, 3n]) await store.add(v);
    execFileSync('mount', ['-o', 'remount,ro', dir]);
    await expect(store.add(4n)).rejects.toMatchObject({ name: 'StoreError', code: 'EROFS', message: expect.stringMatching(/EROFS \(the file system is read-only\); it was not added, the file still holds the 3 numbers added before/) });
    expect(onDisk(file)).toEqual([1n, 2n, 3n]);
    expect(store.numbers).toEqual([1n, 2n, 3n]);
    execFileSync('mount', ['-o', 'remount,rw', dir]);
    await store.add(4n);
    expect(onDisk(file)).toEqual([1n, 2n, 3n, 4n]);
  });
});
