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
  failures: Partial<Record<FailureReason, number>>;
  /** Every address seen: dialled or learned from a peer. */
  known: ReadonlySet<string>;
  /** Every address dialled at least once. */
  tried: ReadonlySet<string>;
}

export const EMPTY_TOTALS: Totals = {
  messagesIn: 0, messagesOut: 0, bytesIn: 0, bytesOut: 0, handshakesSucceeded: 0, handshakesFailed: 0,
  failures: {}, known: new Set(), tried: new Set(),
};

const withAll = (set: ReadonlySet<string>, items: string[]) => {
  const missing = items.filter((a) => !set.has(a));
  return missing.length === 0 ? set : new Set([...set, ...missing]);
};

/**
 * Pure: totals after one more event. `before` is the peer's state before this event (a failure
 * counts as a failed handshake only if the peer was handshaking).
 */
export function reduceTotals(totals: Totals, event: PeerEvent, before: PeerState | undefined): Totals {
  switch (event.type) {
    case 'message':
      return event.dir === 'in'
        ? { ...totals, messagesIn: totals.messagesIn + event.count, bytesIn: totals.bytesIn + event.bytes }
        : { ...totals, messagesOut: totals.messagesOut + event.count, bytesOut: totals.bytesOut + event.bytes };
    case 'addresses':
      // An address is host:port; a `key@` prefix names who is there, not another address.
      return { ...totals, known: withAll(totals.known, event.addresses.map((a) => a.slice(a.lastIndexOf('@') + 1))) };
    case 'state':
      if (event.state === 'connecting') {
        return { ...totals, known: withAll(totals.known, [event.address]), tried: withAll(totals.tried, [event.address]) };
      }
      if (event.state === 'ready') return { ...totals, handshakesSucceeded: totals.handshakesSucceeded + 1 };
      if (event.state === 'failed') {
        const reason = event.reason ?? 'stopped';
        return {
          ...totals,
          handshakesFailed: totals.handshakesFailed + (before === 'handshaking' ? 1 : 0),
          failures: { ...totals.failures, [reason]: (totals.failures[reason] ?? 0) + 1 },
        };
      }
      return totals;
    default:
      return totals;
  }
}
