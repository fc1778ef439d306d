// Many vantage points, one PostgreSQL server (started on loopback by the test): the same schema,
// monitors migrating and writing at once without conflict, and queries across vantages.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bitcoin } from '@peerscope/bitcoin';
import { createMonitor } from '@peerscope/engine';
import { startBitcoinSimnet, type BitcoinSimnet } from '@peerscope/simnet';
import {
  createRun, failures, heights, listRuns, openHistory, peersAt, propagation, Recorder, resolveRun, schemaVersion, SCHEMA_VERSION, sessions, vantages,
} from '../src/index.js';
import { startPostgres, type TestPostgres } from './support/postgres.js';

describe('history in PostgreSQL', () => {
  let server: TestPostgres;
  let simnet: BitcoinSimnet;
  beforeAll(async () => {
    [server, simnet] = await Promise.all([startPostgres(), startBitcoinSimnet({ peers: 16, baseHost: '127.74.0.1', hostileFraction: 0.25 })]);
    await simnet.mine();
  }, 60_000);
  afterAll(async () => {
    await simnet?.close();
    await server?.stop();
  });

  it('three monitors (vantages) migrate and record at once; history reads across them', async () => {
    const record = async (vantage: string) => {
      const sql = await openHistory(server.url);
      const monitor = createMonitor({
        ...bitcoin({ network: 'regtest', pingIntervalMs: 500 }), seeds: [simnet.addresses[0]], target: 6, threads: 0, intervalMs: 150, allow: ['127.0.0.0/8'],
      });
      const runId = await createRun(sql, { command: 'test', vantage, protocol: 'bitcoin', network: 'regtest', target: 6 });
      const errors: string[] = [];
      const recorder = new Recorder(sql, runId, monitor, { onError: (l) => errors.push(l) });
      await monitor.start();
      await new Promise((r) => setTimeout(r, 2_500));
      await monitor.stop();
      await recorder.done;
      await sql.close();
      return { runId, errors, written: recorder.written };
    };
    setTimeout(() => void simnet.mine(), 1_200);
    const results = await Promise.all(['eu-1', 'us-1', 'ap-1'].map(record));
    for (const r of results) {
      expect(r.errors).toEqual([]);
      expect(r.written).toBeGreaterThan(5);
    }

    const sql = await openHistory(server.url, { readonly: true });
    try {
      expect(await schemaVersion(sql)).toBe(SCHEMA_VERSION);
      expect((await vantages(sql)).map((v) => [v.vantage, v.runs])).toEqual([['ap-1', 1], ['eu-1', 1], ['us-1', 1]]);
      const runs = await listRuns(sql);
      expect(runs).toHaveLength(3);
      expect(new Set(runs.map((r) => r.id))).toEqual(new Set(results.map((r) => r.runId)));
      for (const run of runs) {
        expect(run.peakReady).toBe(6);
        expect(run.endedAt).not.toBeNull();
        const all = await sessions(sql, run.id);
        expect(all.filter((s) => s.readyAt !== null).length).toBeGreaterThanOrEqual(6);
        expect(typeof all[0].dialedAt).toBe('number'); // BIGINT read back as a number
        const at = await peersAt(sql, run, run.startedAt + 2_000);
        expect(at.peers.filter((p) => p.state === 'ready').length).toBeGreaterThanOrEqual(5);
        const series = await heights(sql, run.id);
        expect(series.at(-1)!.consensusHeight).toBe(simnet.height());
        const blocks = await propagation(sql, run.id);
        expect(blocks.find((b) => b.height === simnet.height())!.peers).toBeGreaterThan(2);
        expect((await failures(sql, run.id)).length).toBeGreaterThan(0);
      }
      expect((await resolveRun(sql, undefined, 'us-1')).vantage).toBe('us-1');
    } finally {
      await sql.close();
    }
  }, 60_000);

  it('a server that goes away mid-run: one line, the monitor goes on', async () => {
    const doomed = await startPostgres();
    const sql = await openHistory(doomed.url);
    const monitor = createMonitor({
      ...bitcoin({ network: 'regtest', pingIntervalMs: 500 }), seeds: [simnet.addresses[0]], target: 4, threads: 0, intervalMs: 150, allow: ['127.0.0.0/8'],
    });
    const runId = await createRun(sql, { command: 'test', vantage: 'doomed' });
    const lines: string[] = [];
    const recorder = new Recorder(sql, runId, monitor, { onError: (l) => lines.push(l) });
    let snapshots = 0;
    monitor.stats$.subscribe(() => snapshots++);
    await monitor.start();
    await new Promise((r) => setTimeout(r, 800));
    expect(recorder.written).toBeGreaterThan(0);
    await doomed.stop();
    const before = snapshots;
    await new Promise((r) => setTimeout(r, 1_500));
    expect(snapshots - before).toBeGreaterThan(5); // monitoring went on
    await monitor.stop();
    await recorder.done;
    await sql.close().catch(() => {});
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^history: (lost the connection to|cannot write) postgres:\/\/peerscope@127\.0\.0\.1:\d+\/peerscope.*; recording stopped, monitoring goes on$/);
  }, 60_000);

  it('a server that refuses is one line naming it, without the password', async () => {
    const url = new URL(server.url);
    url.port = '1';
    url.password = 'secret';
    await expect(openHistory(url.toString())).rejects.toThrow(/^cannot connect to postgres:\/\/peerscope:\*\*\*@127\.0\.0\.1:1\/peerscope: connection refused/);
  });
});
