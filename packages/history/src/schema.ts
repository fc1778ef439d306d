import type { Dialect, Sql } from './db.js';

/**
 * The schema, as the list of steps that built it: a database at version n gets steps n+1… in order,
 * each in the same exclusive transaction as the version it records. Never edit a step once released;
 * add one. Written once for both databases: `{{id}}` is the only word that differs.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: what a run saw.
  `CREATE TABLE runs (
    id {{id}},
    vantage TEXT NOT NULL,
    command TEXT NOT NULL,
    flags TEXT NOT NULL,
    protocol TEXT,
    network TEXT,
    interval_ms INTEGER,
    target INTEGER,
    started_at BIGINT NOT NULL,
    -- the last interval written: where a run killed with -9 stopped
    last_at BIGINT,
    ended_at BIGINT
  );
  CREATE TABLE sessions (
    run_id BIGINT NOT NULL,
    peer TEXT NOT NULL,
    address TEXT NOT NULL,
    peer_key TEXT,
    dialed_at BIGINT NOT NULL,
    ready_at BIGINT,
    ended_at BIGINT,
    state TEXT NOT NULL,
    reason TEXT,
    detail TEXT,
    version BIGINT,
    user_agent TEXT,
    services TEXT,
    start_height BIGINT,
    best_height BIGINT,
    min_ping_ms DOUBLE PRECISION,
    PRIMARY KEY (run_id, peer)
  );
  CREATE TABLE snapshots (
    run_id BIGINT NOT NULL,
    at BIGINT NOT NULL,
    ready INTEGER NOT NULL,
    target INTEGER NOT NULL,
    connecting INTEGER NOT NULL,
    failed INTEGER NOT NULL,
    handshakes_ok INTEGER NOT NULL,
    handshakes_failed INTEGER NOT NULL,
    known INTEGER NOT NULL,
    tried INTEGER NOT NULL,
    messages_in BIGINT NOT NULL,
    messages_out BIGINT NOT NULL,
    bytes_in BIGINT NOT NULL,
    bytes_out BIGINT NOT NULL,
    consensus_height BIGINT,
    consensus_peers INTEGER,
    failures TEXT NOT NULL,
    user_agents TEXT NOT NULL,
    PRIMARY KEY (run_id, at)
  );
  CREATE TABLE samples (
    run_id BIGINT NOT NULL,
    peer TEXT NOT NULL,
    at BIGINT NOT NULL,
    state TEXT NOT NULL,
    best_height BIGINT,
    ping_ms DOUBLE PRECISION,
    messages_in BIGINT NOT NULL,
    messages_out BIGINT NOT NULL,
    bytes_in BIGINT NOT NULL,
    bytes_out BIGINT NOT NULL,
    by_command TEXT NOT NULL,
    PRIMARY KEY (run_id, peer, at)
  );
  CREATE TABLE heights (
    run_id BIGINT NOT NULL,
    height BIGINT NOT NULL,
    hash TEXT,
    first_peer TEXT NOT NULL,
    first_seen_at BIGINT NOT NULL,
    PRIMARY KEY (run_id, height)
  );
  CREATE TABLE height_seen (
    run_id BIGINT NOT NULL,
    height BIGINT NOT NULL,
    peer TEXT NOT NULL,
    seen_at BIGINT NOT NULL,
    PRIMARY KEY (run_id, height, peer)
  );
  CREATE TABLE addresses (
    run_id BIGINT NOT NULL,
    address TEXT NOT NULL,
    from_peer TEXT,
    learned_at BIGINT NOT NULL,
    PRIMARY KEY (run_id, address)
  )`,
  // 2: what the history queries look up by.
  `CREATE INDEX runs_started ON runs (started_at);
  CREATE INDEX runs_vantage ON runs (vantage, started_at);
  CREATE INDEX sessions_reason ON sessions (run_id, state, reason);
  CREATE INDEX sessions_dialed ON sessions (run_id, dialed_at)`,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

const WORDS: Record<Dialect, Record<string, string>> = {
  sqlite: { id: 'INTEGER PRIMARY KEY' },
  postgres: { id: 'BIGSERIAL PRIMARY KEY' },
};

/** Brings the database up to `upTo` (default: the newest); returns the version it had before. */
export async function migrate(sql: Sql, upTo = SCHEMA_VERSION): Promise<number> {
  return sql.exclusive(async (tx) => {
    await tx.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)');
    const [row] = await tx.all<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_migrations');
    const from = row?.v ?? 0;
    if (from > SCHEMA_VERSION) {
      throw new Error(`the history database is at schema version ${from}, newer than this peerscope knows (${SCHEMA_VERSION}): upgrade peerscope`);
    }
    for (let v = from + 1; v <= upTo; v++) {
      await tx.exec(MIGRATIONS[v - 1].replace(/\{\{(\w+)\}\}/g, (_, w: string) => WORDS[tx.dialect][w]));
      await tx.all('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)', [v, Date.now()]);
    }
    return from;
  });
}

export async function schemaVersion(sql: Sql): Promise<number> {
  const [row] = await sql.all<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_migrations');
  return row?.v ?? 0;
}
