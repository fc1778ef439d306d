import type { Observable, Subscription } from 'rxjs';
import type { NetworkSnapshot, PeerEvent, PeerStats } from '@peerscope/engine';
import type { Param, Sql, Write } from './db.js';
import { describeWriteError } from './errors.js';

/** The streams a recorder follows: a Monitor's, or anything shaped like them (tests). */
export interface Streams {
  stats$: Observable<NetworkSnapshot>;
  events$: Observable<PeerEvent>;
}

export interface RunInfo {
  command: string;
  flags?: Record<string, unknown>;
  protocol?: string;
  network?: string;
  intervalMs?: number;
  target?: number;
  /** Which monitor this is, when several write to one database (default: the host name). */
  vantage: string;
  startedAt?: number;
}

export interface RecorderOptions {
  /** Called once, with one line, when recording stops because a write failed; monitoring goes on. */
  onError?: (line: string) => void;
}

/** Addresses remembered per run to write each once (more are still written, with ON CONFLICT). */
const MAX_REMEMBERED_ADDRESSES = 200_000;
/** Heights whose first sighting is remembered: enough for a day of blocks of any chain we watch. */
const MAX_REMEMBERED_HEIGHTS = 20_000;

interface SessionRow {
  peer: string;
  address: string;
  key: string | null;
  dialedAt: number;
  readyAt: number | null;
  endedAt: number | null;
  state: string;
  reason: string | null;
  detail: string | null;
  version: number | null;
  userAgent: string | null;
  services: string | null;
  startHeight: number | null;
  bestHeight: number | null;
  minPingMs: number | null;
}

/** Creates the run's row; the run id is what every later row refers to. */
export async function createRun(sql: Sql, info: RunInfo): Promise<number> {
  const [row] = await sql.all<{ id: number }>(
    'INSERT INTO runs (vantage, command, flags, protocol, network, interval_ms, target, started_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id',
    [info.vantage, info.command, JSON.stringify(info.flags ?? {}), info.protocol ?? null, info.network ?? null, info.intervalMs ?? null, info.target ?? null, info.startedAt ?? Date.now()],
  );
  return row.id;
}

/**
 * Records a monitor's run: one more subscriber of its streams. Events only update small maps in memory
 * (the session of each peer, heights first seen, addresses learned); each snapshot schedules one write
 * of everything since the last one, in one transaction, after the engine's tick has returned
 * (setImmediate), so the engine never waits for the disk. A write that fails (disk full, file made
 * read-only, server gone) stops recording with one line; what was written before stays intact.
 */
export class Recorder {
  private readonly sessions = new Map<string, SessionRow>();
  private readonly dirty = new Set<string>();
  private readonly heightsFirst = new Map<number, true>();
  private heightsSeen: Param[][] = [];
  private heightsNew: Param[][] = [];
  /** Block hashes reported (`app` events named `block`: { height, hash }), for the heights table. */
  private hashes: Param[][] = [];
  /** The highest height each peer was seen at: a peer's sighting of a height counts once. */
  private readonly peerHeight = new Map<string, number>();
  private readonly knownAddresses = new Set<string>();
  private addresses: Param[][] = [];
  private snapshots: NetworkSnapshot[] = [];
  /** The latest sample per peer not yet written: a slow database gets the newest, not a backlog. */
  private samples = new Map<string, Param[]>();
  private readonly lastSample = new Map<string, string>();
  private readonly subscriptions: Subscription[] = [];
  private scheduled = false;
  private flushing = false;
  private again = false;
  private failed = false;
  private finalAt?: number;
  private resolveDone!: () => void;
  /** Resolves when the final snapshot is written and the run marked ended (or recording stopped). */
  readonly done = new Promise<void>((r) => (this.resolveDone = r));
  /** Intervals written so far. */
  written = 0;
  /** The line given to onError, once recording stopped. */
  error?: string;

  constructor(private readonly sql: Sql, readonly runId: number, streams: Streams, private readonly options: RecorderOptions = {}) {
    this.subscriptions.push(
      streams.events$.subscribe((e) => this.onEvent(e)),
      streams.stats$.subscribe({
        next: (s) => this.onSnapshot(s),
        complete: () => {
          this.finalAt = this.snapshots.at(-1)?.at ?? Date.now();
          this.schedule();
        },
      }),
    );
  }

  /** Stops recording now (the monitor goes on); the run is not marked ended. */
  stop(): void {
    for (const s of this.subscriptions) s.unsubscribe();
    this.resolveDone();
  }

  private onEvent(e: PeerEvent): void {
    if (this.failed) return;
    switch (e.type) {
      case 'state': {
        let s = this.sessions.get(e.peer);
        if (!s) {
          if (e.state !== 'connecting' && e.state !== 'handshaking') return;
          const at = e.address.lastIndexOf('@');
          s = {
            peer: e.peer, address: e.address, key: at > 0 ? e.address.slice(0, at) : null, dialedAt: e.at, readyAt: null, endedAt: null,
            state: e.state, reason: null, detail: null, version: null, userAgent: null, services: null, startHeight: null, bestHeight: null, minPingMs: null,
          };
          this.sessions.set(e.peer, s);
        }
        s.state = e.state;
        if (e.state === 'ready') s.readyAt = e.at;
        if (e.state === 'failed' || e.state === 'closed') {
          s.endedAt = e.at;
          s.reason = e.reason ?? null;
          s.detail = e.detail ?? null;
        }
        this.dirty.add(e.peer);
        return;
      }
      case 'handshake': {
        const s = this.sessions.get(e.peer);
        if (!s) return;
        s.version = e.info.version ?? null;
        s.userAgent = e.info.userAgent ?? null;
        s.services = e.info.services ? e.info.services.join(',') : null;
        s.startHeight = e.info.startHeight ?? null;
        if (e.info.startHeight !== undefined) this.sawHeight(e.peer, e.info.startHeight, e.at);
        this.dirty.add(e.peer);
        return;
      }
      case 'height':
        this.sawHeight(e.peer, e.height, e.at);
        return;
      case 'app': {
        // A protocol that knows block hashes reports them as { height, hash }; heights are kept without otherwise.
        const d = e.data as { height?: unknown; hash?: unknown } | null;
        if (e.name === 'block' && d && typeof d.height === 'number' && typeof d.hash === 'string' && d.hash.length <= 130) {
          this.sawHeight(e.peer, d.height, e.at);
          this.hashes.push([d.hash, this.runId, d.height]);
        }
        return;
      }
      case 'addresses':
        for (const a of e.addresses) {
          if (this.knownAddresses.has(a)) continue;
          if (this.knownAddresses.size < MAX_REMEMBERED_ADDRESSES) this.knownAddresses.add(a);
          this.addresses.push([this.runId, a, this.sessions.has(e.peer) ? e.peer : null, e.at]);
        }
        return;
      default:
        return;
    }
  }

  /** A height a peer reports for the first time: when it first reached us, and from whom first. */
  private sawHeight(peer: string, height: number, at: number): void {
    if (height <= (this.peerHeight.get(peer) ?? -1)) return;
    this.peerHeight.set(peer, height);
    this.heightsSeen.push([this.runId, height, peer, at]);
    if (!this.heightsFirst.has(height)) {
      if (this.heightsFirst.size >= MAX_REMEMBERED_HEIGHTS) this.heightsFirst.delete(this.heightsFirst.keys().next().value!);
      this.heightsFirst.set(height, true);
      this.heightsNew.push([this.runId, height, null, peer, at]);
    }
  }

  private onSnapshot(s: NetworkSnapshot): void {
    if (this.failed) return;
    this.snapshots.push(s);
    for (const p of s.peers) this.sample(p, s.at);
    this.schedule();
  }

  private sample(p: PeerStats, at: number): void {
    const session = this.sessions.get(p.id);
    if (session) {
      const best = p.bestHeight ?? null;
      const ping = p.minPingMs ?? null;
      if (best !== session.bestHeight || ping !== session.minPingMs) {
        session.bestHeight = best;
        session.minPingMs = ping;
        this.dirty.add(p.id);
      }
    }
    if (p.state === 'failed' || p.state === 'closed') return;
    // A sample only when something in it moved: a quiet peer costs no row per interval.
    const key = `${p.state}|${p.bestHeight}|${p.pingMs}|${p.messagesIn}|${p.messagesOut}`;
    if (this.lastSample.get(p.id) === key) return;
    this.lastSample.set(p.id, key);
    const byCommand: Record<string, number[]> = {};
    for (const c of Object.keys(p.byCommand)) {
      const t = p.byCommand[c];
      byCommand[c] = [t.messagesIn, t.messagesOut, t.bytesIn, t.bytesOut];
    }
    this.samples.set(p.id, [
      this.runId, p.id, at, p.state, p.bestHeight ?? null, p.pingMs ?? null, p.messagesIn, p.messagesOut, p.bytesIn, p.bytesOut, JSON.stringify(byCommand),
    ]);
  }

  private schedule(): void {
    if (this.scheduled || this.failed) return;
    this.scheduled = true;
    // After the current tick: the engine's reporter never waits for a write.
    setImmediate(() => {
      this.scheduled = false;
      void this.pump();
    });
  }

  /** One write at a time; snapshots that arrive meanwhile go into the next one (no queue of writes). */
  private async pump(): Promise<void> {
    if (this.flushing) {
      this.again = true;
      return;
    }
    this.flushing = true;
    try {
      do {
        this.again = false;
        await this.flush();
      } while (this.again && !this.failed);
    } finally {
      this.flushing = false;
    }
  }

  private takeWrites(): Write[] {
    const run = this.runId;
    const sessions: Param[][] = [];
    for (const peer of this.dirty) {
      const s = this.sessions.get(peer);
      if (!s) continue;
      sessions.push([run, s.peer, s.address, s.key, s.dialedAt, s.readyAt, s.endedAt, s.state, s.reason, s.detail, s.version, s.userAgent, s.services, s.startHeight, s.bestHeight, s.minPingMs]);
      if (s.endedAt !== null) {
        this.sessions.delete(peer);
        this.lastSample.delete(peer);
        this.peerHeight.delete(peer);
      }
    }
    this.dirty.clear();
    const snapshots = this.snapshots.map((s) => [
      run, s.at, s.ready, s.target, s.connecting, s.failed, s.handshakes.succeeded, s.handshakes.failed, s.addresses.known, s.addresses.tried,
      s.totals.messagesIn, s.totals.messagesOut, s.totals.bytesIn, s.totals.bytesOut, s.consensus?.height ?? null, s.consensus?.peers ?? null,
      JSON.stringify(s.failures), JSON.stringify(s.userAgents),
    ]);
    const lastAt = this.snapshots.at(-1)?.at;
    this.snapshots = [];
    const samples = [...this.samples.values()];
    this.samples = new Map();
    const writes: Write[] = [
      {
        sql: `INSERT INTO sessions (run_id, peer, address, peer_key, dialed_at, ready_at, ended_at, state, reason, detail, version, user_agent, services, start_height, best_height, min_ping_ms)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
          ON CONFLICT (run_id, peer) DO UPDATE SET ready_at = excluded.ready_at, ended_at = excluded.ended_at, state = excluded.state, reason = excluded.reason,
          detail = excluded.detail, version = excluded.version, user_agent = excluded.user_agent, services = excluded.services, start_height = excluded.start_height,
          best_height = excluded.best_height, min_ping_ms = excluded.min_ping_ms`,
        rows: sessions,
      },
      {
        sql: `INSERT INTO snapshots (run_id, at, ready, target, connecting, failed, handshakes_ok, handshakes_failed, known, tried, messages_in, messages_out, bytes_in, bytes_out, consensus_height, consensus_peers, failures, user_agents)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (run_id, at) DO NOTHING`,
        rows: dedupe(snapshots, 2),
      },
      {
        sql: `INSERT INTO samples (run_id, peer, at, state, best_height, ping_ms, messages_in, messages_out, bytes_in, bytes_out, by_command)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (run_id, peer, at) DO NOTHING`,
        rows: samples,
      },
      { sql: 'INSERT INTO heights (run_id, height, hash, first_peer, first_seen_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (run_id, height) DO NOTHING', rows: dedupe(this.heightsNew, 2) },
      { sql: 'UPDATE heights SET hash = ? WHERE run_id = ? AND height = ? AND hash IS NULL', rows: dedupeBy(this.hashes, 2) },
      { sql: 'INSERT INTO height_seen (run_id, height, peer, seen_at) VALUES (?, ?, ?, ?) ON CONFLICT (run_id, height, peer) DO NOTHING', rows: dedupe(this.heightsSeen, 3) },
      { sql: 'INSERT INTO addresses (run_id, address, from_peer, learned_at) VALUES (?, ?, ?, ?) ON CONFLICT (run_id, address) DO NOTHING', rows: dedupe(this.addresses, 2) },
    ];
    this.heightsNew = [];
    this.hashes = [];
    this.heightsSeen = [];
    this.addresses = [];
    const final = this.finalAt !== undefined;
    if (lastAt !== undefined || final) {
      writes.push({
        sql: final ? 'UPDATE runs SET last_at = COALESCE(?, last_at), ended_at = ? WHERE id = ?' : 'UPDATE runs SET last_at = ? WHERE id = ?',
        rows: [final ? [lastAt ?? null, this.finalAt!, run] : [lastAt!, run]],
      });
    }
    return writes;
  }

  private async flush(): Promise<void> {
    if (this.failed) return;
    const final = this.finalAt !== undefined;
    try {
      await this.sql.transaction(this.takeWrites());
      this.written++;
    } catch (err) {
      this.failed = true;
      this.error = `history: ${describeWriteError(err, this.sql.where)}; recording stopped, monitoring goes on`;
      this.stop();
      this.options.onError?.(this.error);
      return;
    }
    if (final) this.stop();
  }
}

/** Rows unique by column `i` (the first of each). */
function dedupeBy(rows: Param[][], i: number): Param[][] {
  const seen = new Set<Param>();
  return rows.filter((r) => (seen.has(r[i]) ? false : (seen.add(r[i]), true)));
}

/** Rows unique by their first `n` columns (PostgreSQL refuses one statement touching a row twice). */
function dedupe(rows: Param[][], n: number): Param[][] {
  if (rows.length < 2) return rows;
  const seen = new Set<string>();
  return rows.filter((r) => {
    const k = r.slice(0, n).join('\u0000');
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
