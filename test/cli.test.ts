// The CLI as users run it: the built `peerscope` binary in a child process, on loopback only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBcoinNetwork, type BcoinNetwork } from '@peerscope/simnet';
import { expectUsageError, runCli, startCli } from './support/cli.js';
import { until } from './support/until.js';

describe('peerscope monitor bitcoin --json, end to end against bcoin', () => {
  let network: BcoinNetwork;
  beforeAll(async () => {
    network = await startBcoinNetwork({ nodes: 3, firstHost: 41 });
    await network.mine();
  });
  afterAll(async () => network?.close());

  it('writes one JSON snapshot per interval and a final summary, with what bcoin reported', async () => {
    const cli = startCli(['monitor', 'bitcoin', '--seed', network.addresses[0], '--network', 'regtest', '--peers', '2',
      '--interval', '500ms', '--duration', '5s', '--json', '--allow', '127.0.0.0/8', '--ping-interval', '1']);
    await until(() => cli.stdoutText().includes('"ready":2'), 'a snapshot with 2 ready peers');
    const mined = await network.mine();
    expect(await cli.exited, cli.stderrText()).toBe(0);
    const records = cli.stdoutText().trim().split('\n').map((l) => JSON.parse(l));
    const snapshots = records.filter((r) => r.type === 'snapshot');
    const summary = records.at(-1);
    expect(snapshots.length).toBeGreaterThanOrEqual(5);
    expect(records.filter((r) => r.type === 'summary')).toHaveLength(1);
    expect(records[0].schema).toBe('peerscope/1');
    expect(summary).toMatchObject({
      type: 'summary', protocol: 'bitcoin', network: 'regtest', target: 2, peakReady: 2, finalReady: 2, peersSeen: 2, attempts: 2,
      outcome: { closed: 2, failed: 0, everReady: 2 }, failures: {},
      handshakes: { succeeded: 2, failed: 0 }, consensus: { height: mined, peers: 2 }, userAgents: { '/bcoin:v1.0.2/': 2 },
    });
    expect(summary.durationMs).toBeGreaterThanOrEqual(5_000);
    // Session averages, not the last fraction of a second.
    expect(summary.rates.messagesIn).toBeCloseTo(summary.totals.messagesIn / (summary.durationMs / 1000), 0);
    for (const p of summary.peers) {
      expect(p).toMatchObject({ state: 'closed', reason: 'stopped', attempts: 1, everReady: true, userAgent: '/bcoin:v1.0.2/', version: 70015, services: ['NETWORK', 'WITNESS'], bestHeight: mined });
      expect(p.pingMs).toBeGreaterThan(0);
      expect(p.messagesIn).toBeGreaterThan(0);
    }
    expect(snapshots.every((s) => s.peers.every((p: { address: string }) => p.address.startsWith('127.0.0.4')))).toBe(true);
    expect(cli.stderrText()).toBe('');
  });

  it('closes every connection on SIGTERM and prints the final summary', async () => {
    const cli = startCli(['monitor', 'bitcoin', '--seed', network.addresses[1], '--network', 'regtest', '--peers', '1', '--interval', '300ms', '--json']);
    await until(() => cli.stdoutText().includes('"ready":1'), 'a ready peer');
    cli.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
    const last = JSON.parse(cli.stdoutText().trim().split('\n').at(-1)!);
    expect(last).toMatchObject({ type: 'summary', finalReady: 1, peakReady: 1 });
    expect(last.peers[0]).toMatchObject({ state: 'closed', reason: 'stopped' });
  });

  it('draws the table without a terminal: summary lines on top, one row per peer', async () => {
    const { code, stdout } = await runCli(['monitor', 'bitcoin', '--seed', network.addresses[2], '--network', 'regtest', '--peers', '1', '--interval', '400ms', '--duration', '1500ms']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/peerscope · bitcoin regtest/);
    expect(stdout).toMatch(/peers 1\/1 ready/);
    expect(stdout).toMatch(/ADDRESS\s+STATE\s+TRIES\s+AGENT/);
    expect(stdout).toMatch(new RegExp(`${network.addresses[2].replaceAll('.', '\\.')}\\s+ready`));
    expect(stdout).toMatch(/final summary/);
    expect(stdout).not.toMatch(/\x1b\[/); // no cursor codes when not on a terminal
  });
});

describe('peerscope demo --sim: the embedded default at scale', () => {
  it('monitors simulated peers learned from one seed, failing the hostile ones with their reasons', async () => {
    const { code, stdout } = await runCli(['demo', '--sim', '80', '--peers', '40', '--hostile', '0.1', '--json', '--interval', '1s', '--duration', '4s']);
    expect(code).toBe(0);
    const records = stdout.trim().split('\n').map((l) => JSON.parse(l));
    const summary = records.at(-1);
    expect(summary).toMatchObject({ type: 'summary', demo: true, target: 40 });
    expect(records.some((r) => r.type === 'snapshot' && r.ready === 40)).toBe(true);
    expect(summary.addresses.known).toBeGreaterThan(40); // learned through getaddr from the one seed
    const hostileReasons = Object.keys(summary.failures);
    expect(hostileReasons.length).toBeGreaterThan(0);
    for (const r of hostileReasons) expect(['bad-magic', 'bad-checksum', 'malformed', 'timeout-stall']).toContain(r);
  });
});

describe('peerscope usage errors', () => {
  it.each([
    [['monitor', 'bitcoin', '--seed', 'host:notaport'], /--seed: "host:notaport" is not an address/],
    [['monitor', 'bitcoin', '--peers', 'many'], /--peers: Expected an integer/],
    [['monitor', 'bitcoin', '--network', 'moon'], /--network: unknown network "moon" \(known: mainnet, testnet3, testnet4, signet, regtest\)/],
    [['monitor', 'bitcoin', '--allow', '10.0.0.0/40'], /--allow: "10.0.0.0\/40": prefix must be 0-32/],
    [['monitor', 'bitcoin', '--interval', 'soon'], /--interval: "soon" is not a duration/],
    [['monitor', 'bitcoin', '--frobnicate'], /Nonexistent flag: --frobnicate/],
    [['monitor'], /no terminal to ask on/],
    [['demo', '--sim', '10', '--hostile', 'lots'], /--hostile: "lots" is not a fraction/],
    // The sum plugin's commands extend the CLI's base command and share its host:port flag.
    [['sum', '--port', '8001', '--connect', '127.0.0.1'], /--connect: "127\.0\.0\.1" is not an address: a port is required \(host:port\) \(see peerscope sum --help\)/],
    [['sum', 'add', '4.2', '--data', 'never-written.json'], /"4\.2" is not a whole number.*; nothing was added \(see peerscope sum add --help\)/],
  ])('%j: one clear line, exit code 2', async (args, message) => expectUsageError(args as string[], message));

  it('has help for every command', async () => {
    const { code, stdout } = await runCli(['--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/monitor/);
    expect(stdout).toMatch(/demo/);
    for (const topic of ['sum', 'node', 'eth']) expect(stdout).toMatch(new RegExp(`\\n\\s+${topic}\\s`));
    // The sum plugin is registered the oclif way: `help sum` finds it.
    const sum = await runCli(['help', 'sum']);
    expect(sum.code).toBe(0);
    expect(sum.stdout).toMatch(/Run a distributed-sum node/);
    expect(sum.stdout).toMatch(/--add/);
    const sub = await runCli(['monitor', 'bitcoin', '--help']);
    for (const flag of ['--seed', '--peers', '--network', '--interval', '--duration', '--threads', '--allow', '--deny', '--json']) expect(sub.stdout).toContain(flag);
  });
});
