// Embedding outside this repository: the five publishable packages are packed as tarballs, installed
// with npm into a project in os.tmpdir() (nothing of the workspace is reachable from there), and the
// README's embedding example, read from between its markers, is compiled by that project's own tsc and
// run with node against a bcoin regtest node on loopback, with the loopback guard preloaded.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startBcoinNode, type BcoinNode } from '@peerscope/simnet';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PACKAGES = ['engine', 'bitcoin', 'ethereum', 'p2pnet', 'simnet'] as const;
const PNPM = ['--yes', 'pnpm@10.34.9'];
const HOST = '127.0.0.71';
const BLOCKS = 2;

type Exports = Record<string, Record<string, string>>;
interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  description?: string;
  license?: string;
  type?: string;
  engines?: { node?: string };
  exports: Exports;
  files?: string[];
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  publishConfig?: { exports?: Exports };
}
interface Packed {
  dir: string;
  manifest: Manifest;
  tarball: string;
  files: string[];
}
interface Ran {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The README's embedding example: the TypeScript block between the embedding-example markers. */
function readmeExample(): string {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const block = /<!-- embedding-example:start -->\s*```ts\n([\s\S]*?)```\s*<!-- embedding-example:end -->/.exec(readme);
  if (!block) throw new Error('README.md has no ```ts block between <!-- embedding-example:start --> and <!-- embedding-example:end -->');
  return block[1];
}

/** The environment of the tools run here: none of npm's script variables, no preloads (npm must reach the registry). */
function toolEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k) && k !== 'NODE_OPTIONS' && k !== 'INIT_CWD') env[k] = v;
  return env;
}

/** Runs a command without blocking this process (the bcoin node lives here); rejects only if it cannot start. */
function run(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs: number }): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? toolEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      stderr += `\n[killed after ${options.timeoutMs} ms]`;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${command} (${(err as NodeJS.ErrnoException).code ?? err.message}): it must be installed and on PATH`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

async function ok(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs: number }): Promise<Ran> {
  const r = await run(command, args, options);
  if (r.code !== 0) throw new Error(`${command} ${args.join(' ')} (in ${options.cwd}) exited ${r.code ?? r.signal}\n${r.stdout}\n${r.stderr}`);
  return r;
}

function walk(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? walk(full, base) : [path.relative(base, full).split(path.sep).join('/')];
  });
}

/**
 * tsc -b never deletes what a removed or renamed source once produced; such leftovers would be packed
 * and published. Removes build outputs in dist/ whose source in src/ is gone (nothing else).
 */
function pruneStaleOutputs(pkgDir: string): string[] {
  const dist = path.join(pkgDir, 'dist');
  const removed: string[] = [];
  for (const rel of walk(dist)) {
    const stem = /^(.*?)(\.d\.ts|\.js)(\.map)?$/.exec(rel)?.[1];
    if (stem === undefined) continue;
    if (['.ts', '.mts', '.tsx'].some((ext) => existsSync(path.join(pkgDir, 'src', stem + ext)))) continue;
    unlinkSync(path.join(dist, rel));
    removed.push(`dist/${rel}`);
  }
  return removed;
}

function withoutSource(exports: Exports): Exports {
  return Object.fromEntries(Object.entries(exports).map(([k, v]) => [k, Object.fromEntries(Object.entries(v).filter(([c]) => c !== 'source'))]));
}

/** Module specifiers a built file imports: static, re-exported, dynamic, and through require. */
function specifiers(code: string): string[] {
  const found: string[] = [];
  const patterns = [
    /^\s*(?:import|export)\b[^'";]*?\bfrom\s*['"]([^'"]+)['"]/gm, // import … from, export … from (statements)
    /^\s*import\s*['"]([^'"]+)['"]/gm, // import 'x'
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g, // import('x'), also import("x").T in declarations
    /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g, // createRequire(…)('x')
  ];
  for (const re of patterns) {
    for (const m of code.matchAll(re)) found.push(m[1]);
  }
  return found;
}

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

describe('embedding the engine outside this repository', () => {
  let work: string;
  let project: string;
  const packed = new Map<string, Packed>();
  let node: BcoinNode | undefined;

  beforeAll(() => {
    work = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'peerscope-embedding-')));
    project = path.join(work, 'project');
    mkdirSync(project);
    mkdirSync(path.join(work, 'tarballs'));
  });

  afterAll(async () => {
    await node?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('packs each package with its built JS and types only', async () => {
    // The build if needed: tsc -b does nothing when dist/ is up to date (npm test built it already).
    const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    await ok(process.execPath, [tsc, '-b', ...PACKAGES.map((p) => `packages/${p}`)], { cwd: ROOT, timeoutMs: 240_000 });
    for (const name of PACKAGES) {
      const dir = path.join(ROOT, 'packages', name);
      const stale = pruneStaleOutputs(dir);
      if (stale.length > 0) console.info(`@peerscope/${name}: removed stale build outputs ${stale.join(', ')}`);
      const r = await ok('npx', [...PNPM, 'pack', '--pack-destination', path.join(work, 'tarballs'), '--json'], { cwd: dir, timeoutMs: 120_000 });
      const out = JSON.parse(r.stdout.slice(r.stdout.indexOf('{'))) as { filename: string; files: { path: string }[] };
      const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as Manifest;
      packed.set(name, { dir, manifest, tarball: out.filename, files: out.files.map((f) => f.path) });
    }

    for (const [name, { manifest, files }] of packed) {
      expect(manifest.private, name).toBeUndefined();
      expect(manifest).toMatchObject({ name: `@peerscope/${name}`, license: 'MIT', type: 'module', engines: { node: '>=20.18' } });
      expect(manifest.version).toMatch(/^\d+\.\d+\.\d+/);
      expect(manifest.description).toBeTruthy();
      // Inside the repo "source" points at src/*.ts; what is packed must be the same entry points without it.
      expect(manifest.publishConfig?.exports, `${name}: publishConfig.exports must be exports without "source"`).toEqual(withoutSource(manifest.exports));
      // Only the build: no sources, tests, maps (they point at src/) or build info.
      for (const f of files) {
        expect(f === 'package.json' || /^(README|LICENSE)/i.test(f) || f.startsWith('dist/'), `${name}: ${f}`).toBe(true);
        expect(/\.map$|\.tsbuildinfo$|\.test\.|(?<!\.d)\.ts$/.test(f), `${name}: ${f} should not be packed`).toBe(false);
      }
      for (const target of Object.values(withoutSource(manifest.exports)).flatMap((c) => Object.values(c))) {
        expect(target, name).toMatch(/^\.\/dist\/.*(\.js|\.d\.ts)$/);
        expect(files, `${name}: export target ${target}`).toContain(target.slice(2));
      }
    }
    // The worker is loaded by file URL beside pool-executor.js; bitcoin's protocol module by URL beside index.js.
    expect(packed.get('engine')!.files).toContain('dist/worker.js');
    expect(packed.get('engine')!.files).toContain('dist/pool-executor.js');
    expect(packed.get('bitcoin')!.files).toContain('dist/protocol/index.js');
  }, 600_000);

  it('installs the tarballs with npm into a project outside the workspace', async () => {
    expect(packed.size).toBe(PACKAGES.length);
    expect(project.startsWith(realpathSync(ROOT))).toBe(false);
    writeFileSync(path.join(project, 'package.json'), JSON.stringify({
      name: 'embedding-example', version: '1.0.0', private: true, type: 'module',
      // bcoin 1.0.2 (under @peerscope/simnet) asks for leveldown 4, which does not build on Node 20.
      overrides: { leveldown: '6.1.1' },
    }, null, 2));
    await ok('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error',
      ...[...packed.values()].map((p) => p.tarball), 'typescript@6.0.3', '@types/node@~20.19.0'], { cwd: project, timeoutMs: 540_000 });

    for (const [name, { manifest }] of packed) {
      const installed = path.join(project, 'node_modules', '@peerscope', name);
      const m = JSON.parse(readFileSync(path.join(installed, 'package.json'), 'utf8')) as Manifest;
      // What a consumer sees: exports with no "source" condition, dependencies with real versions.
      expect(m.exports, name).toEqual(withoutSource(manifest.exports));
      expect(JSON.stringify(m.exports)).not.toMatch(/src\/|"source"/);
      for (const [dep, spec] of Object.entries(m.dependencies ?? {})) {
        expect(spec, `${name} → ${dep}`).not.toMatch(/^workspace:/);
        if (dep.startsWith('@peerscope/')) expect(spec, `${name} → ${dep}`).toBe(packed.get(dep.slice(11))!.manifest.version);
      }
      // Nothing built imports a .ts file, a source-only path, or a package it does not depend on.
      const declared = new Set([...Object.keys(m.dependencies ?? {}), ...Object.keys(m.peerDependencies ?? {}), m.name]);
      for (const rel of walk(installed).filter((f) => /\.(js|d\.ts)$/.test(f))) {
        for (const spec of specifiers(readFileSync(path.join(installed, rel), 'utf8'))) {
          const where = `${name}/${rel} imports '${spec}'`;
          expect(/(?<!\.d)\.[cm]?tsx?$/.test(spec) || /(^|\/)src\//.test(spec), where).toBe(false);
          if (spec.startsWith('.')) {
            const target = path.resolve(path.dirname(path.join(installed, rel)), spec);
            const candidates = rel.endsWith('.d.ts') ? [target, target.replace(/\.js$/, '.d.ts')] : [target];
            expect(candidates.some((c) => existsSync(c)), where).toBe(true);
          } else if (!spec.startsWith('node:') && !builtinModules.includes(spec)) {
            expect(declared.has(packageName(spec)), `${where}, not among its dependencies`).toBe(true);
          }
        }
      }
    }

    // Every entry point loads from node_modules; bitcoin's protocol module (which workers import by URL) is there.
    const entries = [...packed.values()].flatMap(({ manifest }) => Object.keys(manifest.exports).map((k) => manifest.name + k.slice(1)));
    writeFileSync(path.join(project, 'resolve.mjs'), [
      `const entries = ${JSON.stringify(entries)};`,
      'const resolved = {};',
      'for (const e of entries) { await import(e); resolved[e] = import.meta.resolve(e); }',
      "const { bitcoin } = await import('@peerscope/bitcoin');",
      "console.log(JSON.stringify({ resolved, protocol: bitcoin({ network: 'regtest' }).protocol }));",
    ].join('\n'));
    const r = await ok(process.execPath, ['resolve.mjs'], { cwd: project, timeoutMs: 60_000 });
    const { resolved, protocol } = JSON.parse(r.stdout) as { resolved: Record<string, string>; protocol: string };
    const modules = pathToFileURL(path.join(project, 'node_modules')).href + '/';
    for (const e of entries) expect(resolved[e], e).toMatch(new RegExp(`^${modules.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*/dist/.*\\.js$`));
    expect(protocol).toBe(pathToFileURL(path.join(project, 'node_modules/@peerscope/bitcoin/dist/protocol/index.js')).href);
    expect(existsSync(fileURLToPath(protocol))).toBe(true);
  }, 600_000);

  it("compiles the README's example with the project's tsc (strict, NodeNext) against the packed types", async () => {
    writeFileSync(path.join(project, 'main.ts'), readmeExample());
    // Every entry point's declarations are checked too (no skipLibCheck).
    const entries = [...packed.values()].flatMap(({ manifest }) => Object.keys(manifest.exports).map((k) => manifest.name + k.slice(1)));
    writeFileSync(path.join(project, 'entries.ts'), entries.map((e, i) => `export * as entry${i} from '${e}';`).join('\n') + '\n');
    writeFileSync(path.join(project, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { strict: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', types: ['node'], rootDir: '.', outDir: '.' },
      files: ['main.ts', 'entries.ts'],
    }, null, 2));
    await ok(process.execPath, [path.join(project, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'], { cwd: project, timeoutMs: 240_000 });
    expect(existsSync(path.join(project, 'main.js'))).toBe(true);
  }, 300_000);

  it('runs it against a bcoin regtest node: one peer ready, prints its user agent and height, exits 0', async () => {
    expect(existsSync(path.join(project, 'main.js'))).toBe(true);
    const port = await freePort(HOST, true);
    node = await startBcoinNode({ host: HOST, port });
    for (let i = 0; i < BLOCKS; i++) await node.mine();
    const guard = process.env.PEERSCOPE_LOOPBACK_GUARD;
    if (!guard) throw new Error('PEERSCOPE_LOOPBACK_GUARD is not set: run this test through vitest (vitest.config.ts)');
    const r = await run(process.execPath, ['main.js', `${HOST}:${port}`], {
      cwd: project, env: { ...toolEnv(), NODE_OPTIONS: `--import ${pathToFileURL(guard).href}` }, timeoutMs: 90_000,
    });
    expect({ code: r.code, signal: r.signal, stderr: r.stderr }).toEqual({ code: 0, signal: null, stderr: '' });
    expect(r.stdout).toBe(`ready: /bcoin:v1.0.2/ | consensus height: ${BLOCKS}\n`);
  }, 180_000);
});
