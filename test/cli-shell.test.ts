// The CLI in shells and scripts: a closed pipe ends it quietly, exit codes mean something, and every
// mistake in the user's input or environment is one clear line with exit code 2.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, expectUsageError, runCli } from './support/cli.js';
import { CLOSED_HOST, closedPort } from './support/ports.js';

/** `peerscope ARGS | head -1` in a shell: what head printed, the CLI's exit status and stderr, how long it took. */
async function pipeToHead(args: string[]) {
  const guard = process.env.PEERSCOPE_LOOPBACK_GUARD!;
  const quoted = args.map((a) => `'${a}'`).join(' ');
  const started = Date.now();
  // pipefail: the status is the CLI's (head's is 0); the CLI's stderr is the shell's, our pipe.
  const child = spawn('bash', ['-c', `set -o pipefail; ${process.execPath} ${BIN} ${quoted} | head -1`], {
    env: { ...process.env, NODE_OPTIONS: `--import ${guard}` }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const code = await new Promise<number | null>((r) => child.on('close', r));
  return { code, out, err, ms: Date.now() - started };
}

describe('a closed stdout ends every command quietly', () => {
  it('demo --json | head -1 exits within an interval, with status 0 and nothing on stderr', async () => {
    const r = await pipeToHead(['demo', '--sim', '20', '--peers', '5', '--json', '--interval', '300ms']);
    expect(JSON.parse(r.out)).toMatchObject({ type: 'snapshot', schema: 'peerscope/1' });
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.ms).toBeLessThan(10_000);
  });

  it('node start --json | head -1 too (it writes once, then on the next event)', async () => {
    const r = await pipeToHead(['node', 'start', '--json', '--connect', `${CLOSED_HOST}:${await closedPort()}`]);
    expect(JSON.parse(r.out)).toMatchObject({ type: 'event', event: 'started', schema: 'peerscope/1' });
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
  });
});

describe('exit codes', () => {
  it('3 when no peer ever became ready', async () => {
    const port = await closedPort();
    const r = await runCli(['monitor', 'bitcoin', '--seed', `${CLOSED_HOST}:${port}`, '--network', 'REGTEST', '--duration', '1s', '--interval', '500ms', '--json']);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toBe('peerscope: no peer ever became ready (1 tried)\n');
    const summary = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    // Network names are case-insensitive; the record says the canonical one.
    expect(summary).toMatchObject({ type: 'summary', network: 'regtest', peersSeen: 1, failures: { refused: 1 } });
    expect(summary.peers[0]).toMatchObject({ address: `${CLOSED_HOST}:${port}`, state: 'failed', reason: 'refused', everReady: false });
  });

  it('4 when every JSON-RPC endpoint failed', async () => {
    const r = await runCli(['monitor', 'ethereum-rpc', '--url', `http://${CLOSED_HOST}:${await closedPort()}`, '--duration', '1s', '--interval', '500ms', '--json']);
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toMatch(/^peerscope: no endpoint ever answered \(http:\/\/127\.77\.0\.1:\d+: .*\)\n$/);
    expect(JSON.parse(r.stdout.trim().split('\n').at(-1)!)).toMatchObject({ type: 'summary', endpoints: 1, answered: 0 });
  });
});

describe('exit code 5', () => {
  it('when a network sum reached no other node', async () => {
    const data = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'peerscope-sum-')), 'n.json');
    const port = await closedPort();
    const r = await runCli(['sum', '--port', '0', '--data', data, '--connect', `${CLOSED_HOST}:${port}`, '--sum', '--timeout', '300ms']);
    expect(r.code).toBe(5);
    expect(r.stderr).toBe(`peerscope: the sum reached no other node (${CLOSED_HOST}:${port} did not answer)\n`);
  });
});

describe('environment errors: one line, exit code 2', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'peerscope-cli-'));

  it.each([
    [['eth', 'block', '--url', 'notaurl'], /^peerscope: --url: "notaurl" is not a URL \(e\.g\. http:\/\/127\.0\.0\.1:8545\)/],
    [['node', 'start', '--host', '999.1.1.1'], /^peerscope: --host: "999\.1\.1\.1" is not an IP address/],
    [['sum', 'local', '--data', path.join(tmp, 'typo.json')], /^peerscope: --data: no such file: .*typo\.json/],
    [['sum', 'add', '1', '--data', '/nonexistent/dir/x.json'], /^peerscope: --data: the folder \/nonexistent\/dir does not exist \(create it first\)/],
    [['monitor', 'bitcoin', '--interval', '1ms'], /^peerscope: --interval: "1ms" is too short: at least 100ms/],
    [['monitor', 'bitcoin', '--ping-interval', '10ms'], /^peerscope: --ping-interval: "10ms" is too short: at least 1s/],
    [['monitor', 'bitcoin', '--seed', '::1:18444'], /^peerscope: --seed: "::1:18444" is not an address: an IPv6 address with a port is written \[::1\]:18444/],
    [['monitor', 'bitcoin', '--seed', '::1:8333'], /^peerscope: --seed: "::1:8333" is ambiguous: write \[::1:8333\] for the address alone, or \[::1\]:8333 for port 8333/],
    [['demo', '--hostile', '0.1'], /^peerscope: --hostile needs --sim/],
    [['monitor', 'bitcoin', '--json', '--csv'], /--csv=true cannot also be provided when using --json|cannot also be provided/],
  ])('%j', async (args, message) => expectUsageError(args as string[], message));

  it('an unreachable URL names it', async () => {
    const port = await closedPort();
    const r = await runCli(['eth', 'block', '--url', `http://${CLOSED_HOST}:${port}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`peerscope: cannot reach http://${CLOSED_HOST}:${port}: connection refused (is it running, on that port?)\n`);
  });

  it('a port in use names it', async () => {
    const server = net.createServer().listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const { port } = server.address() as net.AddressInfo;
    try {
      const r = await runCli(['node', 'start', '--port', String(port)]);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`peerscope: 127.0.0.1:${port} is already in use: pick another --port (0: any free port)\n`);
    } finally {
      server.close();
    }
  });

  it('network names in any case; zone ids in IPv6 seeds', async () => {
    const r = await runCli(['monitor', 'bitcoin', '--network', 'Moon']);
    expect(r.stderr).toMatch(/unknown network "Moon"/);
    const port = await closedPort();
    const ok = await runCli(['monitor', 'bitcoin', '--network', 'RegTest', '--seed', `${CLOSED_HOST}:${port}`, '--seed', '[fe80::1%lo]:18444', '--deny', '::/0', '--duration', '300ms', '--json']);
    expect(ok.stderr).not.toMatch(/not an address/);
    expect(JSON.parse(ok.stdout.split('\n')[0])).toMatchObject({ network: 'regtest' });
  });
});
