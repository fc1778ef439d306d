import type { Sql } from './db.js';

export interface RunRow {
  id: number;
  vantage: string;
  command: string;
  protocol: string | null;
  network: string | null;
  startedAt: number;
  endedAt: number | null;
  lastAt: number | null;
  intervalMs: number | null;
  target: number | null;
  peers: number;
  peakReady: number | null;
  snapshots: number;
}

/** Runs, newest first (all vantages unless one is named). */
export async function listRuns(sql: Sql, o: { limit?: number; vantage?: string } = {}): Promise<RunRow[]> {
  const where = o.vantage !== undefined ? 'WHERE r.vantage = ?' : '';
  const params = o.vantage !== undefined ? [o.vantage, o.limit ?? 50] : [o.limit ?? 50];
  return sql.all<RunRow>(
    `SELECT r.id, r.vantage, r.command, r.protocol, r.network, r.started_at AS "startedAt", r.ended_at AS "endedAt", r.last_at AS "lastAt",
       r.interval_ms AS "intervalMs", r.target,
       (SELECT COUNT(*) FROM sessions s WHERE s.run_id = r.id) AS peers,
       (SELECT MAX(ready) FROM snapshots n WHERE n.run_id = r.id) AS "peakReady",
       (SELECT COUNT(*) FROM snapshots n WHERE n.run_id = r.id) AS snapshots
     FROM runs r ${where} ORDER BY r.started_at DESC, r.id DESC LIMIT ?`,
    params,
  );
}

/** The run asked for, or the newest one; throws a one-line message when there is none. */
export async function resolveRun(sql: Sql, id?: number, vantage?: string): Promise<RunRow> {
  if (id === undefined) {
    const [latest] = await listRuns(sql, { limit: 1, vantage });
    if (!latest) throw new Error(`no runs recorded in ${sql.where} yet`);
    return latest;
  }
  const [row] = await sql.all<{ id: number }>('SELECT id FROM runs WHERE id = ?', [id]);
  if (!row) throw new Error(`no run ${id} in ${sql.where} (peerscope history lists them)`);
  const runs = await sql.all<RunRow>(
    `SELECT r.id, r.vantage, r.command, r.protocol, r.network, r.started_at AS "startedAt", r.ended_at AS "endedAt", r.last_at AS "lastAt",
       r.interval_ms AS "intervalMs", r.target, 0 AS peers, NULL AS "peakReady", 0 AS snapshots FROM runs r WHERE r.id = ?`,
    [id],
  );
  return runs[0];
}

export interface PeerAtRow {
  peer: string;
  address: string;
  state: string;
  reason: string | null;
  detail: string | null;
  dialedAt: number;
  readyAt: number | null;
  endedAt: number | null;
  version: number | null;
  userAgent: string | null;
  services: string | null;
  startHeight: number | null;
  bestHeight: number | null;
  pingMs: number | null;
  minPingMs: number | null;
  messagesIn: number | null;
  messagesOut: number | null;
  bytesIn: number | null;
  bytesOut: number | null;
}

/**
 * The peers connected (dialling, handshaking or ready) at one instant, with their latest sample up to
 * it: what the live table showed then. Default instant: the run's last snapshot while it ran.
 */
export async function peersAt(sql: Sql, run: RunRow, at?: number): Promise<{ at: number; peers: PeerAtRow[] }> {
  const t = at ?? (await lastLiveInstant(sql, run));
  const peers = await sql.all<PeerAtRow>(
    `SELECT s.peer, s.address, COALESCE(sm.state, CASE WHEN s.ready_at IS NOT NULL AND s.ready_at <= CAST(? AS BIGINT) THEN 'ready' ELSE 'connecting' END) AS state,
       s.reason, s.detail, s.dialed_at AS "dialedAt", s.ready_at AS "readyAt", s.ended_at AS "endedAt", s.version, s.user_agent AS "userAgent",
       s.services, s.start_height AS "startHeight", COALESCE(sm.best_height, s.start_height) AS "bestHeight", sm.ping_ms AS "pingMs", s.min_ping_ms AS "minPingMs",
       sm.messages_in AS "messagesIn", sm.messages_out AS "messagesOut", sm.bytes_in AS "bytesIn", sm.bytes_out AS "bytesOut"
     FROM sessions s
     LEFT JOIN samples sm ON sm.run_id = s.run_id AND sm.peer = s.peer
       AND sm.at = (SELECT MAX(x.at) FROM samples x WHERE x.run_id = s.run_id AND x.peer = s.peer AND x.at <= CAST(? AS BIGINT))
     WHERE s.run_id = CAST(? AS BIGINT) AND s.dialed_at <= CAST(? AS BIGINT) AND (s.ended_at IS NULL OR s.ended_at > CAST(? AS BIGINT))
     ORDER BY CASE WHEN s.ready_at IS NOT NULL AND s.ready_at <= CAST(? AS BIGINT) THEN 0 ELSE 1 END, s.dialed_at`,
    [t, t, run.id, t, t, t],
  );
  return { at: t, peers };
}

/**
 * The last interval with the monitor still connected: a run that ended has a final snapshot taken after
 * every connection was closed, which shows no one.
 */
async function lastLiveInstant(sql: Sql, run: RunRow): Promise<number> {
  const rows = await sql.all<{ at: number }>('SELECT at FROM snapshots WHERE run_id = ? ORDER BY at DESC LIMIT 2', [run.id]);
  if (run.endedAt !== null && rows.length === 2) return rows[1].at;
  return rows[0]?.at ?? run.lastAt ?? run.startedAt;
}

/** Every session of a run, as it ended (or stands, for a run still going or killed). */
export async function sessions(sql: Sql, runId: number, o: { failedOnly?: boolean } = {}): Promise<Record<string, unknown>[]> {
  return sql.all(
    `SELECT run_id AS "run", peer, address, peer_key AS "key", state, reason, detail, dialed_at AS "dialedAt", ready_at AS "readyAt", ended_at AS "endedAt",
       version, user_agent AS "userAgent", services, start_height AS "startHeight", best_height AS "bestHeight", min_ping_ms AS "minPingMs"
     FROM sessions WHERE run_id = ? ${o.failedOnly ? "AND state = 'failed'" : ''} ORDER BY dialed_at, peer`,
    [runId],
  );
}

export interface HeightPoint {
  at: number;
  ready: number;
  consensusHeight: number | null;
  consensusPeers: number | null;
}

/** Each interval: ready peers, the consensus height and how many peers were on it. */
export async function heights(sql: Sql, runId: number): Promise<HeightPoint[]> {
  return sql.all<HeightPoint>(
    'SELECT at, ready, consensus_height AS "consensusHeight", consensus_peers AS "consensusPeers" FROM snapshots WHERE run_id = ? ORDER BY at',
    [runId],
  );
}

/** Every snapshot row of a run (export). */
export async function snapshots(sql: Sql, runId: number): Promise<Record<string, unknown>[]> {
  return sql.all(
    `SELECT run_id AS "run", at, ready, target, connecting, failed, handshakes_ok AS "handshakesOk", handshakes_failed AS "handshakesFailed", known, tried,
       messages_in AS "messagesIn", messages_out AS "messagesOut", bytes_in AS "bytesIn", bytes_out AS "bytesOut",
       consensus_height AS "consensusHeight", consensus_peers AS "consensusPeers", failures, user_agents AS "userAgents"
     FROM snapshots WHERE run_id = ? ORDER BY at`,
    [runId],
  );
}

export interface FailureRow {
  reason: string;
  sessions: number;
  addresses: number;
  example: string | null;
}

/** Failed sessions by reason, most common first. */
export async function failures(sql: Sql, runId: number): Promise<FailureRow[]> {
  return sql.all<FailureRow>(
    `SELECT COALESCE(reason, 'unknown') AS reason, COUNT(*) AS sessions, COUNT(DISTINCT address) AS addresses, MIN(detail) AS example
     FROM sessions WHERE run_id = ? AND state = 'failed' GROUP BY reason ORDER BY COUNT(*) DESC, reason`,
    [runId],
  );
}

export interface BlockRow {
  height: number;
  hash: string | null;
  firstSeenAt: number;
  firstPeer: string;
  firstAddress: string | null;
  peers: number;
  /** Milliseconds after the first sighting by which half, 90% and all the peers that reported it had. */
  p50Ms: number;
  p90Ms: number;
  maxMs: number;
}

/** Block propagation: each height, who reported it first and how the others followed. */
export async function propagation(sql: Sql, runId: number): Promise<BlockRow[]> {
  const firsts = await sql.all<{ height: number; hash: string | null; firstSeenAt: number; firstPeer: string; firstAddress: string | null }>(
    `SELECT h.height, h.hash, h.first_seen_at AS "firstSeenAt", h.first_peer AS "firstPeer", s.address AS "firstAddress"
     FROM heights h LEFT JOIN sessions s ON s.run_id = h.run_id AND s.peer = h.first_peer WHERE h.run_id = ? ORDER BY h.height`,
    [runId],
  );
  const seen = await sql.all<{ height: number; seenAt: number }>(
    'SELECT height, seen_at AS "seenAt" FROM height_seen WHERE run_id = ? ORDER BY height, seen_at',
    [runId],
  );
  const byHeight = new Map<number, number[]>();
  for (const r of seen) {
    let list = byHeight.get(r.height);
    if (!list) byHeight.set(r.height, (list = []));
    list.push(r.seenAt);
  }
  return firsts.map((f) => {
    const delays = (byHeight.get(f.height) ?? [f.firstSeenAt]).map((t) => Math.max(0, t - f.firstSeenAt));
    const pick = (q: number) => delays[Math.min(delays.length - 1, Math.ceil(q * delays.length) - 1)] ?? 0;
    return { ...f, peers: delays.length, p50Ms: pick(0.5), p90Ms: pick(0.9), maxMs: delays.at(-1) ?? 0 };
  });
}

/** Vantages and their runs (several monitors writing to one PostgreSQL database). */
export async function vantages(sql: Sql): Promise<{ vantage: string; runs: number; firstAt: number; lastAt: number }[]> {
  return sql.all(
    'SELECT vantage, COUNT(*) AS runs, MIN(started_at) AS "firstAt", MAX(COALESCE(last_at, started_at)) AS "lastAt" FROM runs GROUP BY vantage ORDER BY vantage',
  );
}
