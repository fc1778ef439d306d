// Committed files must work from any checkout: no absolute path of the machine they were written on
// (a clone under a work folder, root's or a user's home, a temp file). Commands are phrased relative
// to the repository root instead.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SELF = path.relative(ROOT, fileURLToPath(import.meta.url));

// A path starts a token (not inside a URL such as https://host/work/…): nothing word-like before it.
const MACHINE_PATH = /(?<![\w.~%-])\/(?:work|root|home\/[\w.-]+|Users\/[\w.-]+|tmp|private\/var\/folders|mnt\/[a-z])\/[\w.~-]/;

function trackedTextFiles(): string[] {
  return execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' })
    .split('\0')
    .filter((f) => f && f !== SELF && existsSync(path.join(ROOT, f)));
}

describe('repository hygiene', () => {
  it('the pattern catches machine paths and spares URLs and relative paths', () => {
    // Built from parts, so this file names no machine path itself.
    const p = (...parts: string[]) => `/${parts.join('/')}`;
    for (const bad of [`cd ${p('work', 'main')} && node`, `"${p('root', '.cache', 'x')}"`, `at ${p('home', 'alice', 'src')}`, `file://${p('work', 'main', 'x.ts')}`, p('tmp', 'sumdemo', 'n1.json'), p('Users', 'bob', 'peerscope')]) {
      expect(bad).toMatch(MACHINE_PATH);
    }
    for (const ok of ['https://example.com/work/main', 'bench/results/x.md', 'os.tmpdir()', '/path/to/python-p2p-network', 'a/root/b', '127.0.0.1:8333/tmp']) {
      expect(ok).not.toMatch(MACHINE_PATH);
    }
  });

  it('no git-tracked text file names an absolute path of a machine', () => {
    const files = trackedTextFiles();
    expect(files.length).toBeGreaterThan(50);
    const found: string[] = [];
    for (const file of files) {
      const bytes = readFileSync(path.join(ROOT, file));
      if (bytes.subarray(0, 8000).includes(0)) continue; // binary
      bytes.toString('utf8').split('\n').forEach((line, i) => {
        const m = MACHINE_PATH.exec(line);
        if (m) found.push(`${file}:${i + 1}: ${line.trim().slice(0, 160)}`);
      });
    }
    expect(found, `phrase these relative to the repository root:\n${found.join('\n')}`).toEqual([]);
  });
});
