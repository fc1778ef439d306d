// The history store against a real monitor on a loopback simnet: what it keeps, what the queries say,
// migrations, and a full disk mid-run.
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bitcoin } from '@peerscope/bitcoin';
import { createMonitor } from '@peerscope/engine';
import { startBitcoinSimnet, type BitcoinSimnet } from '@peerscope/simnet';
import {
  createRun, failures, formatRows, heights, listRuns, migrate, openHistory, openSql, peersAt, propagation, Recorder, resolveRun, schemaVersion,
  SCHEMA_VERSION, sessions, type Sql,
} from '../src/index.js';

const FORMULA_AGENT = '=HYPERLINK("http://x.example/","click")';
const HTML_AGENT = '<img src=x onerror=alert(1)>';

async function record(sql: Sql, simnet: BitcoinSimnet, o: { target: number; ms: number; mineAt?: number; onError?: (l: string) => void }) {
  const monitor = createMonitor({
    ...bitcoin({ network: 'regtest', pingIntervalMs: 1_000 }), seeds: [simnet.addresses[0]], target: o.target, threads: 0, intervalMs: 150,
    allow: ['127.0.0.0/8'],
  });
  const runId = await createRun(sql, { command: 'test', vantage: 'here', protocol: 'bitcoin', network: 'regtest', intervalMs: 150, target: o.target });
  const recorder = new Recorder(sql, runId, monitor, { onError: o.onError });
  let snapshotsSeen = 0;
  monitor.stats$.subscribe(() => snapshotsSeen++);
  await monitor.start();
  if (o.mineAt !== undefined) setTimeout(() => void simnet.mine(), o.mineAt);
  await new Promise((r) => setTimeout(r, o.ms));
  await monitor.stop();
  await recorder.done;
  return { runId, recorder, snapshotsSeen };
}

describe('history: a monitor recorded into SQLite', () => {
  let simnet: BitcoinSimnet;
  let dir: string;
  beforeAll(async () => {
    simnet = await startBitcoinSimnet({ peers: 12, baseHost: '127.71.0.1', userAgents: ['/Satoshi:27.0.0/', FORMULA_AGENT, HTML_AGENT] });
    await simnet.mine();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'peerscope-history-'));
  });
  afterAll(async () => {
    await simnet?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the run, its sessions, snapshots, samples, heights and addresses; the queries read them back', async () => {
    const file = path.join(dir, 'h.db');
    const sql = await openHistory(file);
    const { runId } = await record(sql, simnet, { target: 6, ms: 2_500, mineAt: 1_200 });
    const run = await resolveRun(sql);
    expect(run.id).toBe(runId);
    expect(run.endedAt).toBeGreaterThan(run.startedAt);
    const [listed] = await listRuns(sql);
    expect(listed).toMatchObject({ id: runId, vantage: 'here', command: 'test', protocol: 'bitcoin', network: 'regtest', peakReady: 6 });
    expect(listed.snapshots).toBeGreaterThan(5);

    const all = await sessions(sql, runId);
    expect(all.length).toBeGreaterThanOrEqual(6);
    expect(all.filter((s) => s.readyAt !== null)).toHaveLength(6);
    expect(all.every((s) => s.endedAt !== null)).toBe(true);
    expect(new Set(all.map((s) => s.userAgent))).toContain(FORMULA_AGENT);

    // Mid-run: the live table's peers, with heights and traffic from their latest sample.
    const mid = await peersAt(sql, run, run.startedAt + 2_000);
    expect(mid.peers.filter((p) => p.state === 'ready')).toHaveLength(6);
    expect(mid.peers.every((p) => (p.messagesIn ?? 0) > 0)).toBe(true);

    const series = await heights(sql, runId);
    const tip = simnet.height();
    expect(series.at(-1)).toMatchObject({ consensusHeight: tip });
    expect(series.some((h) => h.consensusHeight === tip - 1)).toBe(true);

    const blocks = await propagation(sql, runId);
    const mined = blocks.find((b) => b.height === tip)!;
    expect(mined.peers).toBeGreaterThanOrEqual(4); // lagging simnet peers stay one behind
    expect(mined.firstAddress).toMatch(/^127\.71\./);
    expect(mined.maxMs).toBeGreaterThanOrEqual(mined.p50Ms);

    const [{ n: learned }] = await sql.all<{ n: number }>('SELECT COUNT(*) AS n FROM addresses WHERE run_id = ?', [runId]);
    expect(learned).toBeGreaterThan(6);
    expect(await failures(sql, runId)).toEqual([]);

    // CSV keeps the peer's string as data: no cell starts with '='.
    const csv = [...formatRows(all, 'csv')].join('');
    expect(csv).toContain(`"'=HYPERLINK(""http://x.example/"",""click"")"`);
    expect(csv.split(/\r\n|,/).some((cell) => cell.startsWith('='))).toBe(false);
    await sql.close();
    const check = new Database(file, { readonly: true });
    expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(check.pragma('journal_mode', { simple: true })).toBe('wal');
    check.close();
  });

  it('migrates an older database in place, keeping its rows; refuses a newer one', async () => {
    const file = path.join(dir, 'old.db');
    const old = await openSql(file);
    expect(await migrate(old, 1)).toBe(0);
    await createRun(old, { command: 'old', vantage: 'v1' });
    await old.close();
    const sql = await openHistory(file);
    expect(await schemaVersion(sql)).toBe(SCHEMA_VERSION);
    expect((await listRuns(sql)).map((r) => r.command)).toEqual(['old']);
    const indexes = await sql.all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'sessions_reason'");
    expect(indexes).toHaveLength(1);
    await sql.all('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)', [SCHEMA_VERSION + 1, 0]);
    await sql.close();
    await expect(openHistory(file)).rejects.toThrow(/newer than this peerscope knows/);
  });

  it('a read-only or missing database is one line before anything runs', async () => {
    await expect(openHistory(path.join(dir, 'missing.db'), { readonly: true })).rejects.toThrow(/no such file|cannot open/);
    const notDb = path.join(dir, 'not.db');
    fs.writeFileSync(notDb, 'this is not SQLite'.repeat(100));
    await expect(openHistory(notDb)).rejects.toThrow(/not a peerscope history database/);
  });

  it('a database file its user may only read is one line (opened by an unprivileged user)', () => {
    expect(process.getuid?.()).toBe(0); // the test takes the user away: it needs root to do so
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'peerscope-ro-'));
    try {
      const file = path.join(folder, 'h.db');
      const db = new Database(file);
      db.exec('CREATE TABLE t (x)');
      db.close();
      fs.chmodSync(file, 0o444);
      fs.chmodSync(folder, 0o555);
      const index = fileURLToPath(new URL('../src/index.ts', import.meta.url));
      const script = `const { openHistory } = await import(${JSON.stringify(index)}); try { await openHistory(${JSON.stringify(file)}); console.log('opened'); } catch (e) { console.log(e.message); }`;
      const r = spawnSync(process.execPath, ['--import', 'tsx', '--conditions=source', '--input-type=module', '-e', script], { uid: 65534, gid: 65534, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
      expect(r.stdout.trim()).toBe(`cannot write the history database ${file} (read-only or no permission); --no-db turns recording off`);
    } finally {
      fs.chmodSync(folder, 0o755);
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });

  it('a full disk mid-run: one line, the monitor goes on, what was written stays intact', async () => {
    const mount = fs.mkdtempSync(path.join(os.tmpdir(), 'peerscope-full-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mount]);
    try {
      const file = path.join(mount, 'h.db');
      const sql = await openHistory(file);
      const first = await record(sql, simnet, { target: 4, ms: 800 });
      // Leave a few KB free: the next run's samples no longer fit.
      const free = fs.statfsSync(mount).bavail * fs.statfsSync(mount).bsize;
      fs.writeFileSync(path.join(mount, 'filler'), Buffer.alloc(Math.max(0, free - 12 * 1024)));
      const lines: string[] = [];
      const second = await record(sql, simnet, { target: 10, ms: 2_000, onError: (l) => lines.push(l) });
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^history: the disk holding .*h\.db is full; recording stopped, monitoring goes on$/);
      expect(second.snapshotsSeen).toBeGreaterThan(8); // the monitor kept going
      await sql.close();
      fs.rmSync(path.join(mount, 'filler'));
      const check = new Database(file);
      expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
      const run = check.prepare('SELECT ended_at FROM runs WHERE id = ?').get(first.runId) as { ended_at: number };
      expect(run.ended_at).toBeGreaterThan(0);
      expect((check.prepare('SELECT COUNT(*) AS n FROM sessions WHERE run_id = ?').get(first.runId) as { n: number }).n).toBeGreaterThanOrEqual(4);
      check.close();
    } finally {
      execFileSync('umount', ['-l', mount]);
      fs.rmSync(mount, { recursive: true, force: true });
    }
  });
});
