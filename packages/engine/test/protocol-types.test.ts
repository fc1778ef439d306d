// The Protocol contract as a protocol author meets it: typed without casts, mistakes are compile errors.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

describe('the Protocol contract, to a protocol author', () => {
  it('compiles a typed protocol and rejects each mistake in types/protocol-author.ts', () => {
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    const project = fileURLToPath(new URL('./types/tsconfig.json', import.meta.url));
    const result = spawnSync(process.execPath, [tsc, '-p', project], { encoding: 'utf8' });
    // An unused @ts-expect-error (a mistake that compiled) and any real error both fail here.
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  }, 60_000);
});
