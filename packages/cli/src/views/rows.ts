import { isActive, type AddressOutcome, type NetworkSnapshot, type PeerState, type PeerStats } from '@peerscope/engine';

/** One row of the live table: one address, however often it was dialled. */
export interface PeerRow {
  address: string;
  state: PeerState;
  since: number;
  startedAt: number;
  reason: string | null;
  detail: string | null;
  attempts: number;
  userAgent: string | null;
  version: number | null;
  services: string[] | null;
  startHeight: number | null;
  bestHeight: number | null;
  pingMs: number | null;
  minPingMs: number | null;
  messagesIn: number;
  messagesOut: number;
  bytesIn: number;
  bytesOut: number;
  /** When the peer last sent a message (ms since epoch). */
  lastMessageAt: number | null;
  details: PeerStats['details'] | null;
  addressesLearned: number;
  topIn: string;
}

/** What the run ledger tells about an address (its attempts, its last message): see RunLedger. */
export interface Ledger {
  get(address: string): AddressOutcome | undefined;
  outcomes(): Iterable<AddressOutcome>;
}

function topCommands(p: PeerStats): string {
  return Object.entries(p.byCommand)
    .filter(([, t]) => t.messagesIn > 0)
    .sort((a, b) => b[1].messagesIn - a[1].messagesIn)
    .slice(0, 3)
    .map(([c, t]) => `${c}:${t.messagesIn}`)
    .join(' ');
}

function fromStats(p: PeerStats, o: AddressOutcome | undefined): PeerRow {
  return {
    address: p.address, state: p.state, since: p.since, startedAt: p.startedAt, reason: p.reason ?? null, detail: p.detail ?? null,
    attempts: o?.attempts ?? 1, userAgent: p.userAgent ?? o?.userAgent ?? null, version: p.version ?? null, services: p.services ?? null,
    startHeight: p.startHeight ?? null, bestHeight: p.bestHeight ?? null, pingMs: p.pingMs ?? null, minPingMs: p.minPingMs ?? null,
    messagesIn: p.messagesIn, messagesOut: p.messagesOut, bytesIn: p.bytesIn, bytesOut: p.bytesOut,
    lastMessageAt: o?.lastMessageAt ?? null, details: p.details ?? null, addressesLearned: p.addressesLearned, topIn: topCommands(p),
  };
}

function fromOutcome(o: AddressOutcome): PeerRow {
  return {
    address: o.address, state: o.state, since: o.lastAt, startedAt: o.firstAt, reason: o.reason, detail: o.detail, attempts: o.attempts,
    userAgent: o.userAgent, version: o.version, services: o.services, startHeight: o.startHeight, bestHeight: o.bestHeight,
    pingMs: o.pingMs, minPingMs: o.minPingMs,
    messagesIn: o.messagesIn, messagesOut: o.messagesOut, bytesIn: o.bytesIn, bytesOut: o.bytesOut, lastMessageAt: o.lastMessageAt,
    details: null, addressesLearned: 0, topIn: '',
  };
}

/**
 * Pure: one row per address. The snapshot's stats of its current (or latest) connection where the
 * snapshot has them, else what the ledger remembers of it (an address that ended long ago), so failed
 * and hostile peers stay reachable however many there were.
 */
export function peerRows(s: NetworkSnapshot, ledger?: Ledger): PeerRow[] {
  const latest = new Map<string, PeerStats>();
  for (const p of s.peers) {
    const seen = latest.get(p.address);
    if (seen === undefined) latest.set(p.address, p);
    else {
      const a = isActive(p.state);
      const b = isActive(seen.state);
      if ((a && !b) || (a === b && p.startedAt > seen.startedAt)) latest.set(p.address, p);
    }
  }
  const rows: PeerRow[] = [];
  for (const p of latest.values()) rows.push(fromStats(p, ledger?.get(p.address)));
  if (ledger) for (const o of ledger.outcomes()) if (!latest.has(o.address)) rows.push(fromOutcome(o));
  return rows;
}
