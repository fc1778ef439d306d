// `peerscope crawl ethereum`, the built CLI in a child process, against seven @ethereumjs/devp2p nodes
// on 127.91.0.x (DPT + RLPx answering Status with today's mainnet fork id): found by walking findnode
// from one bootnode; one on another chain, one with its RLPx port closed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listRuns, openHistory, sessions } from '@peerscope/history';
import { nodeIdHash } from '@peerscope/ethereum';
import { csvFields } from '../packages/crawler/test/fixtures/csv.js';
import { startNetwork, type TestNode } from '../packages/crawler/test/fixtures/devp2p-node.js';
import { expectUsageError, runCli, startCli } from './support/cli.js';
import { expectContract, schemaOf, validate } from './support/json-schema.js';
import { until } from './support/until.js';

describe('peerscope crawl ethereum', () => {
  const nodes: TestNode[] = [];
  let dir: string;
  let bootnode: string;

  beforeAll(async () => {
    // a ← b, c; b ← d; c ← e; d ← f*, g (closed RLPx). * another chain. One client id carries a terminal
    // escape: the text summary must show it escaped.
    nodes.push(...await startNetwork('127.91.0.', [{}, { from: [1] }, { from: [1] }, { from: [2] }, { from: [3] }, { from: [4], other: true }, { from: [4], rlpx: false }], {
      today: true, clientId: (i) => (i === 4 ? 'Geth/v1.14.11-stable\x1b[31m/linux-amd64' : `ethereumjs-devp2p/v10.0.0/node-${i}`),
    }));
    bootnode = nodes[0].enode;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'peerscope-crawl-eth-'));
  });
  afterAll(() => {
    for (const n of nodes) n.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const base = () => ['crawl', 'ethereum', '--bootnode', bootnode, '--allow', '127.0.0.0/8', '--timeout', '3s'];

  it('--json --out x.json: NDJSON progress then a summary, and nodes.json with every node', async () => {
    const file = path.join(dir, 'nodes.json');
    const { code, stdout, stderr } = await runCli([...base(), '--json', '--interval', '200ms', '--out', file, '--no-db']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const records = stdout.trim().split('\n').map((l) => JSON.parse(l));
    expectContract(records, schemaOf('crawl-ethereum'));
    expect(validate({ ...records.at(-1), surprise: 1 }, schemaOf('crawl-ethereum'))).not.toEqual([]);
    expect(records.filter((r) => r.type === 'progress').length).toBeGreaterThan(1);
    expect(records.at(-1)).toMatchObject({
      type: 'summary', protocol: 'ethereum', network: 'mainnet', ended: 'done', found: 7, tried: 7, reachable: 5, unreachable: 2,
      queried: 7, answered: 7, byClient: { 'ethereumjs-devp2p': 5, Geth: 1 }, byNetworkId: { 1: 5, 7777: 1 },
      byCapabilities: { 'eth/68': 6 }, unreachableByReason: { refused: 1, 'wrong-network': 1 }, out: file,
    });
    const json = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(Object.keys(json).sort()).toEqual(nodes.map((n) => nodeIdHash(n.id)).sort());
    for (const n of nodes) {
      expect(json[nodeIdHash(n.id)]).toMatchObject({
        seq: 0, record: null, score: 1, enode: n.enode, clientId: n.rlpx ? n.clientId : null,
        status: n.rlpx && !n.other ? 'reachable' : 'unreachable', networkId: n.rlpx ? (n.other ? 7777 : 1) : null,
        reason: !n.rlpx ? 'refused' : n.other ? 'wrong-network' : null,
      });
    }
  });

  it('--out x.csv: one row per node, agreeing with nodes.json; the summary as text, client ids escaped', async () => {
    const csv = path.join(dir, 'nodes.csv');
    const db = path.join(dir, 'history.db');
    const { code, stdout, stderr } = await runCli([...base(), '--out', csv, '--db', db, '--vantage', 'eth-crawler-test']);
    expect(code).toBe(0);
    expect(stderr).toMatch(/^peerscope: recording run \d+ into /);
    expect(stdout).toMatch(/^peerscope · crawl ethereum mainnet — done in/);
    expect(stdout).toMatch(/reachable 5 · unreachable 2 · found 7 · tried 7/);
    expect(stdout).toMatch(/unreachable by reason: refused 1 · wrong-network 1/);
    expect(stdout).toContain('Geth/v1.14.11-stable\\e[31m/linux-amd64');
    expect(stdout).not.toContain('\x1b');
    expect(stdout).toMatch(/wrote 7 nodes \(5 reachable\) to /);
    const lines = fs.readFileSync(csv, 'utf8').trimEnd().split('\r\n');
    const header = csvFields(lines[0]);
    const rows = lines.slice(1).map((l) => Object.fromEntries(csvFields(l).map((v, i) => [header[i], v])));
    expect(rows.map((r) => r.id).sort()).toEqual(nodes.map((n) => n.id).sort());
    for (const n of nodes) {
      const row = rows.find((r) => r.id === n.id)!;
      expect(row).toMatchObject({ node_id: nodeIdHash(n.id), ip: n.host, tcp_port: String(n.port), client_id: n.rlpx ? n.clientId : '' });
    }
    // Recorded as a run: a session per dial, with its client id or its reason.
    const sql = await openHistory(db, { readonly: true });
    try {
      const [run] = await listRuns(sql);
      expect(run).toMatchObject({ command: 'crawl ethereum', protocol: 'ethereum', network: 'mainnet', vantage: 'eth-crawler-test', peers: 7 });
      const rows = await sessions(sql, run.id);
      expect(rows.filter((r) => r.readyAt !== null)).toHaveLength(5);
      expect(rows.filter((r) => r.state === 'failed').map((r) => r.reason).sort()).toEqual(['refused', 'wrong-network']);
    } finally {
      await sql.close();
    }
  });

  it('Ctrl-C writes what was crawled so far and exits 0', async () => {
    const file = path.join(dir, 'partial.json');
    const cli = startCli([...base(), '--json', '--interval', '100ms', '--out', file, '--no-db']);
    await until(() => /"reachable":[1-9]/.test(cli.stdoutText()), 'a first node reached');
    cli.kill('SIGINT');
    expect(await cli.exited).toBe(0);
    const last = JSON.parse(cli.stdoutText().trim().split('\n').at(-1)!);
    expect(last).toMatchObject({ type: 'summary', ended: 'stopped' });
    expect(last.reachable).toBeGreaterThan(0);
    const json = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(Object.values(json).filter((e) => (e as { status: string }).status === 'reachable')).toHaveLength(last.reachable);
  });

  it('a bad flag is one line and exit 2', async () => {
    await expectUsageError(['crawl', 'ethereum', '--bootnode', 'enode://nothex@127.0.0.1:30303'], /not an enode URL/);
    await expectUsageError(['crawl', 'ethereum', '--network', 'nowhere'], /unknown network "nowhere"/);
    await expectUsageError(['crawl', 'ethereum', '--bootnode', bootnode, '--concurrency', '0'], /concurrency/);
    await expectUsageError(['crawl', 'ethereum', '--bootnode', bootnode, '--out', path.join(dir, 'x.txt')], /\.json or \.csv/);
  });
});
