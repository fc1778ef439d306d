// `peerscope crawl bitcoin`, the built CLI in a child process, against a simulated network on loopback.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listRuns, openHistory, sessions } from '@peerscope/history';
import { loopbackHosts, startBitcoinSimnet, startHostilePeer, type BitcoinSimnet, type HostilePeer } from '@peerscope/simnet';
import { expectUsageError, runCli, startCli } from './support/cli.js';
import { expectContract, schemaOf } from './support/json-schema.js';
import { startOnTerminal } from './support/terminal.js';
import { until } from './support/until.js';

describe('peerscope crawl bitcoin', () => {
  const N = 120;
  let simnet: BitcoinSimnet;
  let silent: HostilePeer;
  let dead: string[];
  let dir: string;

  beforeAll(async () => {
    simnet = await startBitcoinSimnet({ peers: N, baseHost: '127.83.0.1', startHeight: 4 });
    silent = await startHostilePeer('silent', '127.84.1.1');
    const port = simnet.addresses[0].split(':')[1];
    dead = loopbackHosts('127.84.0.1', 2).map((h) => `${h}:${port}`);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'peerscope-crawl-'));
  });
  afterAll(async () => {
    await simnet?.close();
    await silent?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const base = (timeout = '2s') => ['crawl', 'bitcoin', '--seed', simnet.addresses[0], ...dead.flatMap((d) => ['--seed', d]), '--network', 'regtest', '--allow', '127.0.0.0/8', '--timeout', timeout];

  it('--json --out x.json: NDJSON progress then a summary, and a bitnodes snapshot of every node', async () => {
    const file = path.join(dir, 'x.json');
    const { code, stdout, stderr } = await runCli([...base(), '--json', '--interval', '100ms', '--out', file]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const records = stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(records[0].schema).toBe('peerscope/1');
    expectContract(records, schemaOf('crawl'));
    expect(records.slice(0, -1).every((r) => r.type === 'progress' && typeof r.at === 'number')).toBe(true);
    expect(records.at(-1)).toMatchObject({
      type: 'summary', protocol: 'bitcoin', network: 'regtest', ended: 'done', reachable: N, unreachable: 2, latestHeight: 4,
      unreachableByReason: { refused: 2 }, byProtocolVersion: { 70016: N }, addressesByNetwork: { ipv4: N + 2 }, out: file,
    });
    const snapshot = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(snapshot).toMatchObject({ total_nodes: N, latest_height: 4 });
    expect(Object.keys(snapshot.nodes).sort()).toEqual([...simnet.addresses].sort());
    expect(Object.keys(snapshot.unreachable_nodes).sort()).toEqual([...dead].sort());
  });

  it('--out x.csv: one row per address, agreeing with the JSON snapshot; the summary as text', async () => {
    const file = path.join(dir, 'x.csv');
    const { code, stdout } = await runCli([...base(), '--out', file]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/crawl bitcoin regtest — done/);
    expect(stdout).toMatch(new RegExp(`reachable ${N} · unreachable 2`));
    expect(stdout).toMatch(/unreachable by reason: refused 2/);
    expect(stdout).toMatch(/user agents:\n\s+60\s+\/simnet:0\.1\.0\//);
    const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\r\n');
    const header = lines[0].split(',');
    const rows = lines.slice(1).map((l) => Object.fromEntries(l.split(',').map((v, i) => [header[i], v])));
    expect(rows).toHaveLength(N + 2);
    const snapshot = JSON.parse(fs.readFileSync(path.join(dir, 'x.json'), 'utf8'));
    for (const r of rows.filter((x) => x.status === 'reachable')) {
      const [version, agent, , services, height] = snapshot.nodes[r.address];
      expect([Number(r.protocol_version), r.user_agent, Number(r.services), Number(r.height)]).toEqual([version, agent, services, height]);
    }
    expect(rows.filter((x) => x.status === 'unreachable').map((x) => [x.address, x.reason]).sort()).toEqual(dead.map((d) => [d, 'refused']).sort());
  });

  it('records the crawl in the history database: a run, a session per dial with its version or its reason', async () => {
    const db = path.join(dir, 'history.db');
    const { code, stderr } = await runCli([...base(), '--db', db, '--vantage', 'crawler-test']);
    expect(code).toBe(0);
    expect(stderr).toMatch(/^peerscope: recording run \d+ into /);
    const sql = await openHistory(db, { readonly: true });
    try {
      const [run] = await listRuns(sql);
      expect(run).toMatchObject({ command: 'crawl bitcoin', protocol: 'bitcoin', network: 'regtest', vantage: 'crawler-test', peers: N + 2 });
      expect(run.endedAt).not.toBeNull();
      const rows = await sessions(sql, run.id);
      const reached = rows.filter((r) => r.readyAt !== null);
      expect(reached).toHaveLength(N);
      expect(reached.every((r) => r.version === 70016 && r.startHeight === 4 && typeof r.userAgent === 'string')).toBe(true);
      expect(rows.filter((r) => r.state === 'failed').map((r) => [r.address, r.reason]).sort()).toEqual(dead.map((d) => [d, 'refused']).sort());
    } finally {
      await sql.close();
    }
  });

  it('Ctrl-C writes what was crawled so far and exits 0', async () => {
    const file = path.join(dir, 'partial.json');
    // A node that never answers holds the crawl open (30 s timeout) until the signal.
    const cli = startCli([...base('30s'), '--seed', `127.84.1.1:${silent.port}`, '--json', '--interval', '100ms', '--out', file]);
    await until(() => cli.stdoutText().includes(`"reachable":${N}`), 'every sim node reached');
    cli.kill('SIGINT');
    expect(await cli.exited).toBe(0);
    const last = JSON.parse(cli.stdoutText().trim().split('\n').at(-1)!);
    expect(last).toMatchObject({ type: 'summary', ended: 'stopped', reachable: N, unreachableByReason: { refused: 2, stopped: 1 } });
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).total_nodes).toBe(N);
  });

  it('on a terminal: a progress line redrawn in place, then the summary; Ctrl-C ends it', async () => {
    const t = startOnTerminal([...base('30s'), '--seed', `127.84.1.1:${silent.port}`]);
    await t.see(`reachable ${N} · failed 2 · in flight 1`);
    // Redrawn in place: carriage return and erase-line, never a new line per update.
    expect(t.screen()).toMatch(/\r\x1b\[2K\[#+-*\] found \d+ · tried \d+/);
    t.child.stdin.write('\x03');
    expect(await t.exited).toBe(0);
    expect(t.screen()).toMatch(/crawl bitcoin regtest — ended \(stopped\)/);
    expect(t.screen()).toMatch(/unreachable by reason: refused 2 · stopped 1/);
  });

  it('a bad flag is one line and exit 2', async () => {
    await expectUsageError(['crawl', 'bitcoin', '--concurrency', '0'], /concurrency/);
    await expectUsageError(['crawl', 'bitcoin', '--seed', '127.0.0.1:1', '--out', path.join(dir, 'x.txt')], /\.json or \.csv/);
    await expectUsageError(['crawl', 'bitcoin', '--seed', '127.0.0.1:1', '--out', path.join(dir, 'nowhere', 'x.json')], /does not exist/);
  });
});
