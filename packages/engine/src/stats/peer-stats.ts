import type { FailureReason, PeerEvent, PeerState } from '../events.js';

export interface CommandTraffic {
  messagesIn: number;
  messagesOut: number;
  bytesIn: number;
  bytesOut: number;
}

/** Everything peerscope knows about one connection, derived from its events alone. */
export interface PeerStats {
  id: string;
  address: string;
  state: PeerState;
  /** When the current state began (ms since epoch). */
  since: number;
  startedAt: number;
  /** When the handshake completed, if it did. */
  readyAt?: number;
  reason?: FailureReason;
  detail?: string;
  version?: number;
  userAgent?: string;
  services?: string[];
  startHeight?: number;
  bestHeight?: number;
  details?: Record<string, string | number | boolean | string[] | null>;
  pingMs?: number;
  minPingMs?: number;
  messagesIn: number;
  messagesOut: number;
  bytesIn: number;
  bytesOut: number;
  byCommand: Record<string, CommandTraffic>;
  addressesLearned: number;
  inv: Record<string, number>;
}

/**
 * Every field present from the start (the optional ones undefined, which JSON leaves out): all
 * PeerStats share one shape, so copying one is a fast clone, not a lookup of whatever fields this peer
 * happened to gain in which order.
 */
export function newPeerStats(event: PeerEvent): PeerStats {
  return {
    id: event.peer, address: event.address, state: 'connecting', since: event.at, startedAt: event.at,
    readyAt: undefined, reason: undefined, detail: undefined, version: undefined, userAgent: undefined, services: undefined,
    startHeight: undefined, bestHeight: undefined, details: undefined, pingMs: undefined, minPingMs: undefined,
    messagesIn: 0, messagesOut: 0, bytesIn: 0, bytesOut: 0, byCommand: trafficTable(), addressesLearned: 0, inv: counts(),
  };
}

/** Pure: the peer's stats after one more of its events. Returns a new object; never mutates `prev`. */
export function reducePeer(prev: PeerStats | undefined, event: PeerEvent): PeerStats {
  const next = prev === undefined ? newPeerStats(event) : { ...prev };
  applyPeerEvent(next, prev, event);
  return next;
}

/** Pure: the peer's stats after several of its events, in order; one new object however many events. */
export function foldPeer(prev: PeerStats | undefined, events: readonly PeerEvent[]): PeerStats | undefined {
  if (events.length === 0) return prev;
  const next = prev === undefined ? newPeerStats(events[0]) : { ...prev };
  for (const e of events) applyPeerEvent(next, prev, e);
  return next;
}

/**
 * The prototype of tables keyed by what a peer sent (commands, inventory kinds): none of Object's, so a
 * command named `constructor` or `__proto__` is one more row, never Object's own function or a change
 * of prototype. (Not Object.create(null) itself: V8 keeps those as hash tables, slower to read and copy.)
 */
const ROWS: object = Object.freeze(Object.create(null) as object);

/**
 * A traffic table with the rows of `from`: copies of them (`deep`: whoever owns the table owns every
 * row), or the same rows (then a row is copied before it changes, see applyPeerEvent).
 */
function trafficTable(from?: Record<string, CommandTraffic>, deep = true): Record<string, CommandTraffic> {
  const table = Object.create(ROWS) as Record<string, CommandTraffic>;
  if (from !== undefined) {
    for (const command of Object.keys(from)) {
      const t = from[command];
      table[command] = deep ? { messagesIn: t.messagesIn, messagesOut: t.messagesOut, bytesIn: t.bytesIn, bytesOut: t.bytesOut } : t;
    }
  }
  return table;
}

function counts(from?: Record<string, number>): Record<string, number> {
  const table = Object.create(ROWS) as Record<string, number>;
  if (from !== undefined) for (const k of Object.keys(from)) table[k] = from[k];
  return table;
}

/**
 * A copy of `prev` that owns its tables and their rows: a draft to which applyPeerEvent(draft,
 * undefined, event) may apply any number of events without touching `prev`.
 */
export function draftPeer(prev: PeerStats): PeerStats {
  return { ...prev, byCommand: trafficTable(prev.byCommand), inv: counts(prev.inv) };
}

/**
 * The rules of the per-peer reducers, written once. `next` is the caller's fresh copy of `prev` (or a
 * new peer's stats when `prev` is undefined): a draft nobody else has seen. It is updated in place,
 * but what it still shares with `prev` (byCommand, inv) is copied before it is changed, so `prev` and
 * every snapshot that holds it stay as they were. With `prev` undefined, `next` owns all of it (a new
 * peer, or a draftPeer copy). A draft may take many events (a batch, or all events until the next
 * snapshot): the cost is then one copy per peer, not one per event.
 */
export function applyPeerEvent(next: PeerStats, prev: PeerStats | undefined, event: PeerEvent): void {
  switch (event.type) {
    case 'message': {
      const n = event.count;
      const bytes = event.bytes;
      // Shared with prev: the table is copied, then the row about to change. (Without prev, the
      // draft owns the table and every row in it.)
      let byCommand = next.byCommand;
      if (prev !== undefined && byCommand === prev.byCommand) next.byCommand = byCommand = trafficTable(byCommand, false);
      let t = byCommand[event.command];
      if (t === undefined) byCommand[event.command] = t = { messagesIn: 0, messagesOut: 0, bytesIn: 0, bytesOut: 0 };
      else if (prev !== undefined && t === prev.byCommand[event.command]) byCommand[event.command] = t = { ...t };
      if (event.dir === 'in') {
        next.messagesIn += n;
        next.bytesIn += bytes;
        t.messagesIn += n;
        t.bytesIn += bytes;
      } else {
        next.messagesOut += n;
        next.bytesOut += bytes;
        t.messagesOut += n;
        t.bytesOut += bytes;
      }
      return;
    }
    case 'rtt':
      next.pingMs = event.ms;
      next.minPingMs = Math.min(next.minPingMs ?? Infinity, event.ms);
      return;
    case 'height':
      if (event.height > (next.bestHeight ?? -1)) next.bestHeight = event.height;
      return;
    case 'state':
      next.state = event.state;
      next.since = event.at;
      next.reason = event.reason;
      next.detail = event.detail;
      if (event.state === 'ready') next.readyAt = event.at;
      return;
    case 'handshake': {
      const { version, userAgent, services, startHeight, details } = event.info;
      const bestHeight = Math.max(next.bestHeight ?? -1, startHeight ?? -1);
      next.version = version;
      next.userAgent = userAgent;
      next.services = services;
      next.startHeight = startHeight;
      next.details = details;
      next.bestHeight = bestHeight >= 0 ? bestHeight : undefined;
      return;
    }
    case 'addresses':
      next.addressesLearned += event.count ?? event.addresses.length;
      return;
    case 'inv': {
      if (prev !== undefined && next.inv === prev.inv) next.inv = counts(next.inv);
      for (const [kind, n] of Object.entries(event.counts)) next.inv[kind] = (next.inv[kind] ?? 0) + n;
      return;
    }
    case 'app':
      return;
  }
}

/** Ready now, or was ready when we closed it: whose word counts for consensus and agents. */
export function wasReadyAtEnd(p: PeerStats): boolean {
  return p.state === 'ready' || (p.state === 'closed' && p.readyAt !== undefined);
}

export function isActive(state: PeerState): boolean {
  return state === 'connecting' || state === 'handshaking' || state === 'ready';
}
