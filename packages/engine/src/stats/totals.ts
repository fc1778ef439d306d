import type { FailureReason, PeerEvent, PeerState } from '../events.js';

/** Network-wide counters, cumulative since the session began. */
export interface Totals {
  messagesIn: number;
  messagesOut: number;
  bytesIn: number;
  bytesOut: number;
  handshakesSucceeded: number;
  handshakesFailed: number;
  /** Connections that ended in 'failed', by reason. */
  failures: Record<FailureReason, number>;
  /** Distinct addresses seen: dialled or learned. */
  known: number;
  /** Distinct addresses dialled at least once. */
  tried: number;
}

export const EMPTY_TOTALS: Totals = {
  messagesIn: 0, messagesOut: 0, bytesIn: 0, bytesOut: 0, handshakesSucceeded: 0, handshakesFailed: 0,
  failures: {}, known: 0, tried: 0,
};

/**
 * What the event means beyond itself, from the caller's memory: the peer's state before it (a failure
 * counts as a failed handshake only if the peer was handshaking) and how many of its addresses are new.
 * Distinctness is the caller's (see AddressTally): a set copied per event would cost O(addresses) each.
 */
export interface TotalsContext {
  before?: PeerState;
  newlyKnown: number;
  newlyTried: number;
}

/** Pure: totals after one more event (the same object when the event changes none of them). */
export function reduceTotals(totals: Totals, event: PeerEvent, context: TotalsContext): Totals {
  if (!countsInTotals(event, context)) return totals;
  const next = { ...totals };
  applyTotalsEvent(next, totals, event, context);
  return next;
}

/** Whether the event moves any total: most do not (rtt, height, handshake, app…). */
export function countsInTotals(event: PeerEvent, context: TotalsContext): boolean {
  switch (event.type) {
    case 'message':
      return true;
    case 'addresses':
      return context.newlyKnown > 0;
    case 'state':
      return event.state === 'connecting' || event.state === 'ready' || event.state === 'failed';
    default:
      return false;
  }
}

/**
 * The rules of reduceTotals, written once. `next` is the caller's fresh copy of `prev`, updated in
 * place; `failures`, while still shared with `prev`, is copied before it changes.
 */
export function applyTotalsEvent(next: Totals, prev: Totals, event: PeerEvent, context: TotalsContext): void {
  switch (event.type) {
    case 'message':
      if (event.dir === 'in') {
        next.messagesIn += event.count;
        next.bytesIn += event.bytes;
      } else {
        next.messagesOut += event.count;
        next.bytesOut += event.bytes;
      }
      return;
    case 'addresses':
      next.known += context.newlyKnown;
      return;
    case 'state':
      if (event.state === 'connecting') {
        next.known += context.newlyKnown;
        next.tried += context.newlyTried;
      } else if (event.state === 'ready') {
        next.handshakesSucceeded++;
      } else if (event.state === 'failed') {
        const reason = event.reason ?? 'stopped';
        if (context.before === 'handshaking') next.handshakesFailed++;
        if (next.failures === prev.failures) next.failures = { ...next.failures };
        next.failures[reason] = (next.failures[reason] ?? 0) + 1;
      }
      return;
    default:
      return;
  }
}

/** Addresses remembered for distinct counts; past this the counts stop growing (memory stays bounded). */
export const MAX_TALLIED_ADDRESSES = 500_000;

/** The memory behind `known` and `tried`: which addresses have been seen and dialled. */
export class AddressTally {
  private readonly known = new Set<string>();
  private readonly tried = new Set<string>();

  /** Records the event's addresses; returns how many were new. */
  record(event: PeerEvent): { newlyKnown: number; newlyTried: number } {
    if (event.type === 'addresses') {
      let n = 0;
      // host:port is the address; a `key@` prefix names who is there, not another address.
      for (const a of event.addresses) if (this.add(this.known, a.slice(a.lastIndexOf('@') + 1))) n++;
      return { newlyKnown: n, newlyTried: 0 };
    }
    if (event.type === 'state' && event.state === 'connecting') {
      return { newlyKnown: this.add(this.known, event.address) ? 1 : 0, newlyTried: this.add(this.tried, event.address) ? 1 : 0 };
    }
    return { newlyKnown: 0, newlyTried: 0 };
  }

  private add(set: Set<string>, address: string): boolean {
    if (set.has(address) || set.size >= MAX_TALLIED_ADDRESSES) return false;
    set.add(address);
    return true;
  }
}
