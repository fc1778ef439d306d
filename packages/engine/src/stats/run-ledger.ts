import type { FailureReason, PeerEvent, PeerState } from '../events.js';
import { SESSION_EVENTS } from './collector.js';

/**
 * Addresses the run ledger describes one by one. Past this, an address still counts in every total
 * (peers seen, failures by reason, attempts), but has no row of its own: memory stays bounded however
 * long the run.
 */
export const MAX_LEDGER_ADDRESSES = 100_000;

/** How one address fared over the whole run: every connection made to it, folded. */
export interface AddressOutcome {
  address: string;
  /** Connections made to it (a retried address counts each). */
  attempts: number;
  /** How its last connection ended, or its state now if it is still connected. */
  state: PeerState;
  reason: FailureReason | null;
  detail: string | null;
  /** Whether any of its connections completed the handshake. */
  everReady: boolean;
  userAgent: string | null;
  /** What it said in its last handshake, its best height and its last ping (null until known). */
  version: number | null;
  services: string[] | null;
  startHeight: number | null;
  bestHeight: number | null;
  pingMs: number | null;
  minPingMs: number | null;
  /** First connection attempt and last event (ms since epoch). */
  firstAt: number;
  lastAt: number;
  /** The last time it sent us a message (ms since epoch), if it ever did. */
  lastMessageAt: number | null;
  messagesIn: number;
  messagesOut: number;
  bytesIn: number;
  bytesOut: number;
}

/** The whole run, as the final summary shows it. JSON-safe; absent values are null. */
export interface RunSummary {
  startedAt: number;
  at: number;
  durationMs: number;
  /** Distinct addresses dialled (or accepted) in the run. */
  peersSeen: number;
  /** Connections made in the run (retries included). */
  attempts: number;
  /** Most peers ready at one moment, and how many were ready when the run ended (before we closed them). */
  peakReady: number;
  finalReady: number;
  /** Addresses by how they ended: their last connection (still active ones are counted as such). */
  outcome: { ready: number; closed: number; failed: number; active: number; everReady: number };
  /** Addresses whose last connection failed, by its reason: peers, not attempts. */
  failures: Record<FailureReason, number>;
  /** Failed connections by reason, retries included. */
  failedAttempts: Record<FailureReason, number>;
  totals: { messagesIn: number; messagesOut: number; bytesIn: number; bytesOut: number };
  /** Averages over the whole run (per second). */
  rates: { messagesIn: number; messagesOut: number; bytesIn: number; bytesOut: number };
  /** One row per address, first attempted first; at most MAX_LEDGER_ADDRESSES of them. */
  peers: AddressOutcome[];
  /** Addresses seen past the cap: counted above, without a row. */
  untrackedPeers: number;
}

/** Pure: the outcome of an address after one more event of one of its connections. A new object. */
export function reduceOutcome(prev: AddressOutcome | undefined, event: PeerEvent): AddressOutcome {
  const next: AddressOutcome = prev
    ? { ...prev }
    : {
      address: event.address, attempts: 0, state: 'connecting', reason: null, detail: null, everReady: false, userAgent: null,
      version: null, services: null, startHeight: null, bestHeight: null, pingMs: null, minPingMs: null, firstAt: event.at, lastAt: event.at, lastMessageAt: null, messagesIn: 0, messagesOut: 0, bytesIn: 0, bytesOut: 0,
    };
  next.lastAt = Math.max(next.lastAt, event.at);
  switch (event.type) {
    case 'state':
      // A connection begins with 'connecting' (an accepted one may begin later): each is one attempt.
      if (event.state === 'connecting' || prev === undefined) next.attempts++;
      next.state = event.state;
      next.reason = event.reason ?? null;
      next.detail = event.detail ?? null;
      if (event.state === 'ready') next.everReady = true;
      break;
    case 'handshake': {
      const { userAgent, version, services, startHeight } = event.info;
      next.userAgent = userAgent ?? next.userAgent;
      next.version = version ?? next.version;
      next.services = services ?? next.services;
      next.startHeight = startHeight ?? next.startHeight;
      if (startHeight !== undefined && startHeight > (next.bestHeight ?? -1)) next.bestHeight = startHeight;
      break;
    }
    case 'height':
      if (event.height > (next.bestHeight ?? -1)) next.bestHeight = event.height;
      break;
    case 'rtt':
      next.pingMs = event.ms;
      next.minPingMs = Math.min(next.minPingMs ?? Infinity, event.ms);
      break;
    case 'message':
      if (event.dir === 'in') {
        next.messagesIn += event.count;
        next.bytesIn += event.bytes;
        next.lastMessageAt = event.at;
      } else {
        next.messagesOut += event.count;
        next.bytesOut += event.bytes;
      }
      break;
    default:
      break;
  }
  return next;
}

const ACTIVE: ReadonlySet<PeerState> = new Set(['connecting', 'handshaking', 'ready']);

/**
 * The memory behind the final summary: every address the run saw, with how it ended and how often it
 * was tried, and the counters that need more than the last snapshot (peak ready, failures by peer).
 * Fed the same events as the stats (`apply`, or `applyBatch`), it follows reduceOutcome's rules; it
 * keeps one row per address (capped), and per connection only the state of those still open.
 */
export class RunLedger {
  private readonly rows = new Map<string, AddressOutcome>();
  /** Open connections: their state, to know when one leaves 'ready'. */
  private readonly open = new Map<string, PeerState>();
  /** Addresses past the cap: what they ended as (to count failures by peer), nothing else. */
  private readonly untracked = new Map<string, FailureReason | null>();
  private readonly failedAttempts: Record<string, number> = {};
  private readyNow = 0;
  private peak = 0;
  /** Ready connections that we closed (reason 'stopped'): ready when the run ended. */
  private readyAtStop = 0;
  private attempts = 0;
  private readonly totals = { messagesIn: 0, messagesOut: 0, bytesIn: 0, bytesOut: 0 };

  constructor(readonly startedAt = Date.now(), private readonly maxAddresses = MAX_LEDGER_ADDRESSES) {}

  applyBatch(batch: readonly PeerEvent[]): this {
    for (let i = 0; i < batch.length; i++) this.apply(batch[i]);
    return this;
  }

  apply = (event: PeerEvent): void => {
    if (event.peer === SESSION_EVENTS) return;
    if (event.type === 'message') {
      if (event.dir === 'in') {
        this.totals.messagesIn += event.count;
        this.totals.bytesIn += event.bytes;
      } else {
        this.totals.messagesOut += event.count;
        this.totals.bytesOut += event.bytes;
      }
    } else if (event.type === 'state') {
      this.connection(event.peer, event.state, event.reason);
    } else if (event.type !== 'handshake' && event.type !== 'height' && event.type !== 'rtt') {
      return;
    }
    const row = this.rows.get(event.address);
    if (row !== undefined) {
      this.rows.set(event.address, reduceOutcome(row, event));
    } else if (this.rows.size < this.maxAddresses && !this.untracked.has(event.address)) {
      this.rows.set(event.address, reduceOutcome(undefined, event));
    } else if (event.type === 'state') {
      this.untracked.set(event.address, event.state === 'failed' ? (event.reason ?? 'internal') : null);
    }
  };

  private connection(id: string, state: PeerState, reason: FailureReason | undefined): void {
    const before = this.open.get(id);
    if (before === undefined) this.attempts++;
    if (before === 'ready' && state !== 'ready') {
      this.readyNow--;
      if (state === 'closed' && reason === 'stopped') this.readyAtStop++;
    }
    if (state === 'ready' && before !== 'ready') {
      this.readyNow++;
      if (this.readyNow > this.peak) this.peak = this.readyNow;
    }
    if (state === 'failed') this.failedAttempts[reason ?? 'internal'] = (this.failedAttempts[reason ?? 'internal'] ?? 0) + 1;
    if (ACTIVE.has(state)) this.open.set(id, state);
    else this.open.delete(id);
  }

  /** The address's row, if it has one. Rows are replaced, never changed: one read stays as it was. */
  get(address: string): AddressOutcome | undefined {
    return this.rows.get(address);
  }

  /** Every row, first attempted first (the same objects as get()). */
  outcomes(): IterableIterator<AddressOutcome> {
    return this.rows.values();
  }

  /** Addresses seen so far (with a row or past the cap). */
  get peersSeen(): number {
    return this.rows.size + this.untracked.size;
  }

  /** Connections ready now, and the most ready at once so far. */
  get readyCounts(): { now: number; peak: number } {
    return { now: this.readyNow, peak: this.peak };
  }

  /** The run so far (or, after the monitor stopped, the whole run). Pure in what it returns: a copy. */
  summary(now = Date.now()): RunSummary {
    const outcome = { ready: 0, closed: 0, failed: 0, active: 0, everReady: 0 };
    const failures: Record<string, number> = {};
    const peers: AddressOutcome[] = [];
    for (const row of this.rows.values()) {
      peers.push({ ...row });
      if (row.everReady) outcome.everReady++;
      if (row.state === 'failed') {
        outcome.failed++;
        const r = row.reason ?? 'internal';
        failures[r] = (failures[r] ?? 0) + 1;
      } else if (row.state === 'closed') outcome.closed++;
      else if (row.state === 'ready') outcome.ready++;
      else outcome.active++;
    }
    for (const reason of this.untracked.values()) {
      if (reason === null) continue;
      outcome.failed++;
      failures[reason] = (failures[reason] ?? 0) + 1;
    }
    const durationMs = Math.max(0, now - this.startedAt);
    const seconds = Math.max(durationMs / 1000, 1e-3);
    const rate = (n: number) => Math.round((n / seconds) * 10) / 10;
    return {
      startedAt: this.startedAt, at: now, durationMs,
      peersSeen: this.rows.size + this.untracked.size,
      attempts: this.attempts,
      peakReady: this.peak,
      finalReady: this.readyNow + this.readyAtStop,
      outcome,
      failures,
      failedAttempts: { ...this.failedAttempts },
      totals: { ...this.totals },
      rates: {
        messagesIn: rate(this.totals.messagesIn), messagesOut: rate(this.totals.messagesOut),
        bytesIn: rate(this.totals.bytesIn), bytesOut: rate(this.totals.bytesOut),
      },
      peers,
      untrackedPeers: this.untracked.size,
    };
  }
}
