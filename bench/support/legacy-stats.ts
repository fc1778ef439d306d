// The per-event reducers as they were before the stats pipeline (before commit 87ebcc7), verbatim but for
// their names: the baseline row of bench/stats-pipeline.ts (a spread of PeerStats, byCommand and a
// row for every message event).
import type { PeerEvent } from '../../packages/engine/src/events.js';
import type { CommandTraffic, PeerStats, Totals, TotalsContext } from '../../packages/engine/src/index.js';

const NO_TRAFFIC: CommandTraffic = { messagesIn: 0, messagesOut: 0, bytesIn: 0, bytesOut: 0 };

function newPeerStats(event: PeerEvent): PeerStats {
  return {
    id: event.peer, address: event.address, state: 'connecting', since: event.at, startedAt: event.at,
    messagesIn: 0, messagesOut: 0, bytesIn: 0, bytesOut: 0, byCommand: {}, addressesLearned: 0, inv: {},
  };
}

/** Pure: the peer's stats after one more of its events. Returns a new object; never mutates `prev`. */
export function legacyReducePeer(prev: PeerStats | undefined, event: PeerEvent): PeerStats {
  const peer = prev ?? newPeerStats(event);
  switch (event.type) {
    case 'state':
      return {
        ...peer, state: event.state, since: event.at, reason: event.reason, detail: event.detail,
        readyAt: event.state === 'ready' ? event.at : peer.readyAt,
      };
    case 'handshake': {
      const { version, userAgent, services, startHeight, details } = event.info;
      const bestHeight = Math.max(peer.bestHeight ?? -1, startHeight ?? -1);
      return { ...peer, version, userAgent, services, startHeight, details, bestHeight: bestHeight >= 0 ? bestHeight : undefined };
    }
    case 'message': {
      const t = peer.byCommand[event.command] ?? NO_TRAFFIC;
      const inbound = event.dir === 'in';
      const n = event.count;
      const traffic: CommandTraffic = inbound
        ? { ...t, messagesIn: t.messagesIn + n, bytesIn: t.bytesIn + event.bytes }
        : { ...t, messagesOut: t.messagesOut + n, bytesOut: t.bytesOut + event.bytes };
      return inbound
        ? { ...peer, messagesIn: peer.messagesIn + n, bytesIn: peer.bytesIn + event.bytes, byCommand: { ...peer.byCommand, [event.command]: traffic } }
        : { ...peer, messagesOut: peer.messagesOut + n, bytesOut: peer.bytesOut + event.bytes, byCommand: { ...peer.byCommand, [event.command]: traffic } };
    }
    case 'rtt':
      return { ...peer, pingMs: event.ms, minPingMs: Math.min(peer.minPingMs ?? Infinity, event.ms) };
    case 'height':
      return event.height > (peer.bestHeight ?? -1) ? { ...peer, bestHeight: event.height } : peer;
    case 'addresses':
      return { ...peer, addressesLearned: peer.addressesLearned + event.addresses.length };
    case 'inv': {
      const inv = { ...peer.inv };
      for (const [kind, n] of Object.entries(event.counts)) inv[kind] = (inv[kind] ?? 0) + n;
      return { ...peer, inv };
    }
    case 'app':
      return peer;
  }
}

/** Pure: totals after one more event. */
export function legacyReduceTotals(totals: Totals, event: PeerEvent, context: TotalsContext): Totals {
  switch (event.type) {
    case 'message':
      return event.dir === 'in'
        ? { ...totals, messagesIn: totals.messagesIn + event.count, bytesIn: totals.bytesIn + event.bytes }
        : { ...totals, messagesOut: totals.messagesOut + event.count, bytesOut: totals.bytesOut + event.bytes };
    case 'addresses':
      return context.newlyKnown === 0 ? totals : { ...totals, known: totals.known + context.newlyKnown };
    case 'state':
      if (event.state === 'connecting') {
        return { ...totals, known: totals.known + context.newlyKnown, tried: totals.tried + context.newlyTried };
      }
      if (event.state === 'ready') return { ...totals, handshakesSucceeded: totals.handshakesSucceeded + 1 };
      if (event.state === 'failed') {
        const reason = event.reason ?? 'stopped';
        return {
          ...totals,
          handshakesFailed: totals.handshakesFailed + (context.before === 'handshaking' ? 1 : 0),
          failures: { ...totals.failures, [reason]: (totals.failures[reason] ?? 0) + 1 },
        };
      }
      return totals;
    default:
      return totals;
  }
}
