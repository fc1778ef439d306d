/**
 * `peerscope history` over a day: a synthetic 24-hour recording of 1,000 peers (written with the same
 * schema and statements' shape as the recorder: snapshots every 5 s, a sample per peer whenever it
 * changed, here every 30 s with its ping; reconnects every ~2 h, a block every 10 min seen by every
 * peer, learned addresses), then the time of each history query, median of RUNS. Target < 1 s each.
 * Run, from the repository root, `node --import tsx --conditions=source bench/history-queries.ts`
 * (env PEERS = 1,000, HOURS = 24, RUNS = 5); writes bench/results/history-queries.md.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createRun, failures, formatRows, heights, listRuns, openHistory, peersAt, propagation, resolveRun, sessions, snapshots, type Param,
} from '@peerscope/history';

const PEERS = Number(process.env.PEERS ?? 1_000);
const HOURS = Number(process.env.HOURS ?? 24);
const RUNS = Number(process.env.RUNS ?? 5);
const INTERVAL = 5_000;
const SAMPLE_EVERY = 30_000;
const SESSION_MS = 2 * 3_600_000;
const BLOCK_MS = 600_000;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'peerscope-bench-history-'));
const file = path.join(dir, 'history.db');
const sql = await openHistory(file);
const start = Date.UTC(2026, 0, 1);
const end = start + HOURS * 3_600_000;
const runId = await createRun(sql, { command: 'monitor bitcoin', vantage: 'bench', protocol: 'bitcoin', network: 'mainnet', intervalMs: INTERVAL, target: PEERS, startedAt: start });
const t0 = performance.now();

const AGENTS = ['/Satoshi:27.0.0/', '/Satoshi:26.1.0/', '/Satoshi:25.0.0/', '/btcd:0.24.0/', '/Satoshi:27.1.0(knots)/'];
const REASONS = ['timeout-connect', 'refused', 'closed-by-peer', 'reset', 'bad-magic'];
const byCommand = JSON.stringify({ ping: [120, 120, 3_840, 3_840], pong: [120, 120, 3_840, 3_840], inv: [900, 0, 81_000, 0], addr: [2, 1, 60_000, 0] });
/** Peer slot p's k-th session starts at sessionStart(p, k); the reconnects of the slots are spread over SESSION_MS. */
const offsetOf = (p: number) => (p * 7_919_000) % SESSION_MS;
const sessionAt = (p: number, t: number) => Math.floor((t - start + offsetOf(p)) / SESSION_MS);
const sessionStart = (p: number, k: number) => Math.max(start, start + k * SESSION_MS - offsetOf(p));

// An hour at a time, one transaction each (the recorder writes one per interval; this is only faster).
for (let hour = start; hour < end; hour += 3_600_000) {
  const sess: Param[][] = [];
  const samples: Param[][] = [];
  const snaps: Param[][] = [];
  const seen: Param[][] = [];
  const firsts: Param[][] = [];
  const addrs: Param[][] = [];
  for (let p = 0; p < PEERS; p++) {
    // Each peer slot reconnects every SESSION_MS, offset by slot; one in ten sessions failed.
    for (let k = sessionAt(p, hour); k <= sessionAt(p, hour + 3_599_999); k++) {
      const s = sessionStart(p, k);
      if (s < hour || s >= end) continue;
      const id = `p${p}-${k}`;
      const failed = (p + k) % 10 === 0;
      sess.push([runId, id, `10.${p >> 8}.${p & 255}.${k & 255}:8333`, null, s, failed ? null : s + 200, Math.min(end, failed ? s + 5_000 : sessionStart(p, k + 1) - 1), failed ? 'failed' : 'closed',
        failed ? REASONS[p % REASONS.length] : 'stopped', failed ? 'synthetic' : null, 70016, AGENTS[p % AGENTS.length], 'NETWORK,WITNESS', 800_000, 800_000 + k, 40 + (p % 200)]);
    }
    for (let t = hour + (p % 30) * 1_000; t < hour + 3_600_000; t += SAMPLE_EVERY) {
      const n = (t - start) / 1_000;
      samples.push([runId, `p${p}-${sessionAt(p, t)}`, t, 'ready', 800_000 + Math.floor((t - start) / BLOCK_MS), 40 + (p % 200) + (t % 7),
        Math.round(n * 2), Math.round(n), Math.round(n * 300), Math.round(n * 60), byCommand]);
    }
  }
  for (let t = hour; t < hour + 3_600_000; t += INTERVAL) {
    const h = 800_000 + Math.floor((t - start) / BLOCK_MS);
    snaps.push([runId, t, PEERS - 3, PEERS, 3, Math.floor((t - start) / 60_000), Math.floor((t - start) / 7_000), Math.floor((t - start) / 70_000), 50_000, 20_000,
      (t - start) / 5, (t - start) / 10, (t - start) * 60, (t - start) * 12, h, PEERS - 10, JSON.stringify({ 'timeout-connect': 10, refused: 4 }), JSON.stringify({ '/Satoshi:27.0.0/': 600, '/Satoshi:26.1.0/': 397 })]);
  }
  for (let b = hour; b < hour + 3_600_000; b += BLOCK_MS) {
    const h = 800_000 + Math.floor((b - start) / BLOCK_MS);
    firsts.push([runId, h, null, `p${h % PEERS}-${sessionAt(h % PEERS, b)}`, b]);
    for (let p = 0; p < PEERS; p++) seen.push([runId, h, `p${p}-${sessionAt(p, b)}`, b + ((p * 37) % 4_000)]);
  }
  for (let a = 0; a < 2_000; a++) addrs.push([runId, `${(hour / 3_600_000) & 255}.${a >> 8}.${a & 255}.1:8333`, `p${a % PEERS}-${sessionAt(a % PEERS, hour)}`, hour + a]);
  await sql.transaction([
    { sql: 'INSERT INTO sessions (run_id, peer, address, peer_key, dialed_at, ready_at, ended_at, state, reason, detail, version, user_agent, services, start_height, best_height, min_ping_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (run_id, peer) DO NOTHING', rows: sess },
    { sql: 'INSERT INTO samples (run_id, peer, at, state, best_height, ping_ms, messages_in, messages_out, bytes_in, bytes_out, by_command) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (run_id, peer, at) DO NOTHING', rows: samples },
    { sql: 'INSERT INTO snapshots (run_id, at, ready, target, connecting, failed, handshakes_ok, handshakes_failed, known, tried, messages_in, messages_out, bytes_in, bytes_out, consensus_height, consensus_peers, failures, user_agents) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (run_id, at) DO NOTHING', rows: snaps },
    { sql: 'INSERT INTO heights (run_id, height, hash, first_peer, first_seen_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (run_id, height) DO NOTHING', rows: firsts },
    { sql: 'INSERT INTO height_seen (run_id, height, peer, seen_at) VALUES (?, ?, ?, ?) ON CONFLICT (run_id, height, peer) DO NOTHING', rows: seen },
    { sql: 'INSERT INTO addresses (run_id, address, from_peer, learned_at) VALUES (?, ?, ?, ?) ON CONFLICT (run_id, address) DO NOTHING', rows: addrs },
    { sql: 'UPDATE runs SET last_at = ?, ended_at = ? WHERE id = ?', rows: [[Math.min(end, hour + 3_600_000) - INTERVAL, Math.min(end, hour + 3_600_000), runId]] },
  ]);
}
await sql.exec('PRAGMA wal_checkpoint(TRUNCATE)');
const generatedS = (performance.now() - t0) / 1_000;
const count = async (table: string) => (await sql.all<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`))[0].n;
const rows = { sessions: await count('sessions'), samples: await count('samples'), snapshots: await count('snapshots'), height_seen: await count('height_seen'), addresses: await count('addresses') };
const bytes = fs.statSync(file).size;
await sql.close();

// Each query in a fresh read-only connection, as `peerscope history` opens one per command.
const reader = await openHistory(file, { readonly: true });
const run = await resolveRun(reader, runId);
const drain = (r: Record<string, unknown>[]) => { let n = 0; for (const chunk of formatRows(r, 'csv')) n += chunk.length; return n; };
const queries: [string, string, () => Promise<unknown>][] = [
  ['history', 'list runs', () => listRuns(reader)],
  ['history peers --at +12h', 'peers connected at an instant, with their latest sample', () => peersAt(reader, run, start + 12 * 3_600_000)],
  ['history peers', 'the same at the last interval', () => peersAt(reader, run)],
  ['history heights', 'every interval of the day', () => heights(reader, runId)],
  ['history failures', 'failed sessions by reason', () => failures(reader, runId)],
  ['history blocks', 'propagation of every block', () => propagation(reader, runId)],
  ['history export peers --format csv', 'every session as CSV', async () => drain(await sessions(reader, runId))],
  ['history export snapshots --format csv', 'every snapshot as CSV', async () => drain(await snapshots(reader, runId))],
];
const results: { command: string; what: string; ms: number; max: number }[] = [];
for (const [command, what, q] of queries) {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await q();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  results.push({ command, what, ms: times[Math.floor(times.length / 2)], max: times.at(-1)! });
  console.log(`${command}: ${times[Math.floor(times.length / 2)].toFixed(1)} ms`);
}
await reader.close();
fs.rmSync(dir, { recursive: true, force: true });

const mb = (n: number) => `${(n / 1e6).toFixed(0)} MB`;
const report = [
  '# History queries over a 24-hour, 1,000-peer recording',
  '',
  `Command: \`node --import tsx --conditions=source bench/history-queries.ts\` (PEERS=${PEERS}, HOURS=${HOURS}, RUNS=${RUNS}). Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, SQLite (better-sqlite3 12) in WAL mode in the temp folder.`,
  '',
  `Synthetic recording (generated in ${generatedS.toFixed(0)} s): ${rows.sessions.toLocaleString('en')} sessions (a reconnect every ~2 h per peer slot, one in ten failed), ${rows.samples.toLocaleString('en')} per-peer samples (one per peer per 30 s: the recorder writes a sample only when a peer's height, ping or traffic moved), ${rows.snapshots.toLocaleString('en')} snapshots (every 5 s), ${rows.height_seen.toLocaleString('en')} height sightings (a block every 10 min seen by every peer), ${rows.addresses.toLocaleString('en')} addresses. Database: ${mb(bytes)}.`,
  '',
  '| command | what | median | slowest |',
  '|---|---|---:|---:|',
  ...results.map((r) => `| \`${r.command}\` | ${r.what} | ${r.ms.toFixed(1)} ms | ${r.max.toFixed(1)} ms |`),
  '',
  `Target: every query under 1 s — ${results.every((r) => r.max < 1_000) ? 'met' : 'NOT met'}.`,
  '',
];
if (PEERS === 1_000 && HOURS === 24) fs.writeFileSync(fileURLToPath(new URL('./results/history-queries.md', import.meta.url)), report.join('\n'));
console.log(report.join('\n'));
