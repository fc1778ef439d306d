// oclif conventions: -h/--help and -v/--version everywhere, `version`, shell autocomplete, "did you
// mean" for mistyped commands, and `plugins` so a user can link a plugin of their own (the example in
// examples/plugin-example, a command on the engine's streams).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBitcoinSimnet, type BitcoinSimnet } from '@peerscope/simnet';
import { BIN, runCli } from './support/cli.js';
import { startOnTerminal } from './support/terminal.js';

const ROOT = path.resolve(path.dirname(BIN), '..');
const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'oclif.manifest.json'), 'utf8')) as { commands: Record<string, { description?: string; examples?: string[]; hidden?: boolean }> };

/**
 * The CLI with its own data, cache and config folders (plugins linked here stay here). Its output is
 * read as the user reads it: oclif colours its own listings when the environment says so (CI, COLORTERM).
 */
function run(args: string[], home: string) {
  const guard = process.env.PEERSCOPE_LOOPBACK_GUARD!;
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, NODE_OPTIONS: `--import ${guard}`, XDG_DATA_HOME: path.join(home, 'data'), XDG_CACHE_HOME: path.join(home, 'cache'), XDG_CONFIG_HOME: path.join(home, 'config') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((r) => child.on('close', (code) => r({ code, stdout: stripVTControlCharacters(stdout), stderr: stripVTControlCharacters(stderr) })));
}

describe('oclif conventions', () => {
  it('-v, --version and version print the same line', async () => {
    const lines = await Promise.all([['-v'], ['--version'], ['version']].map((a) => runCli(a)));
    for (const r of lines) {
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^peerscope\/0\.1\.0 \S+ node-v\d+\.\d+\.\d+\n$/);
    }
    const json = JSON.parse((await runCli(['version', '--json'])).stdout);
    expect(json).toMatchObject({ type: 'version', schema: 'peerscope/1', name: 'peerscope', version: '0.1.0' });
  });

  it('-h and --help on every command, without [default: ], without broken lines, with examples that are whole', async () => {
    const root = await runCli(['-h']);
    expect(root.code).toBe(0);
    expect(root.stdout).toMatch(/^COMMANDS$/m);
    for (const [id, c] of Object.entries(manifest.commands)) {
      if (c.hidden) continue;
      // A description wraps where the terminal does, not where the source file did.
      expect(c.description ?? '', id).not.toMatch(/[^\n]\n[^\n]/);
      for (const e of c.examples ?? []) expect(e.replace('<%= config.bin %>', ''), id).not.toMatch(/[<…]/);
    }
    for (const cmd of [['monitor', 'bitcoin'], ['node', 'start'], ['sum'], ['eth', 'block'], ['demo']]) {
      const [short, long] = await Promise.all([runCli([...cmd, '-h']), runCli([...cmd, '--help'])]);
      expect(short.code).toBe(0);
      expect(short.stdout).toBe(long.stdout);
      expect(short.stdout).not.toContain('[default: ]');
      expect(short.stdout).toMatch(/^EXAMPLES$/m);
    }
    // Durations in help in the syntax the flag takes.
    expect((await runCli(['monitor', 'bitcoin', '-h'])).stdout).toMatch(/--interval=<duration>\s+\[default: 5s\]/);
  });

  it('a mistyped command: "did you mean" on a terminal, exit 127 when declined', async () => {
    const t = startOnTerminal(['monitr']);
    await t.answer('Did you mean', 'n\r');
    expect(t.screen()).toMatch(/Did you mean \S*monitor/);
    expect(await t.exited).not.toBe(0);
    const plain = t.screen().replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
    expect(plain).toMatch(/monitr is not a peerscope command/);
    expect(plain).toMatch(/Run peerscope help for a list of available commands/);
  });

  it('autocomplete: the bash script names the commands', async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'peerscope-ac-'));
    const r = await run(['autocomplete', 'script', 'bash'], home);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('PEERSCOPE_AC_BASH_SETUP_PATH');
  });

  describe('plugins: a plugin of the user\'s own, linked', () => {
    let simnet: BitcoinSimnet;
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'peerscope-plugins-'));
    beforeAll(async () => {
      simnet = await startBitcoinSimnet({ peers: 2, baseHost: '127.63.0.1', userAgents: ['/Satoshi:27.0.0/'] });
    });
    afterAll(async () => {
      await simnet?.close();
      fs.rmSync(home, { recursive: true, force: true });
    });

    it('links examples/plugin-example, lists it, runs its command on the engine streams, unlinks it', async () => {
      const link = await run(['plugins', 'link', path.join(ROOT, 'examples/plugin-example'), '--no-install'], home);
      expect(link.code).toBe(0);
      expect((await run(['plugins'], home)).stdout).toMatch(/peerscope-plugin-example 0\.1\.0 \(link\)/);
      const watch = await run(['watch', '--seed', simnet.addresses[0], '--duration', '1500ms'], home);
      expect(watch.stderr).toBe('');
      expect(watch.code).toBe(0);
      expect(watch.stdout).toContain(`${simnet.addresses[0]} connecting`);
      expect(watch.stdout).toContain(`${simnet.addresses[0]} says /Satoshi:27.0.0/`);
      expect(watch.stdout).toMatch(/^watched \d+ peers: [1-9]\d* handshakes$/m);
      // The plugin shares the base command: a usage mistake is one line, exit code 2.
      const bad = await run(['watch', '--seed', 'nonsense:port'], home);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/^peerscope: --seed: "nonsense:port" is not an address/);
      expect((await run(['plugins', 'unlink', 'peerscope-plugin-example'], home)).code).toBe(0);
      expect((await run(['watch'], home)).code).not.toBe(0);
    });
  });
});
