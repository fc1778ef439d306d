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

const NO_TRAFFIC: CommandTraffic = { messagesIn: 0, messagesOut: 0, bytesIn: 0, bytesOut: 0 };

export function newPeerStats(event: PeerEvent): PeerStats {
  return {
    id: event.peer, address: event.address, state: 'connecting', since: event.at, startedAt: event.at,
    messagesIn: 0, messagesOut: 0, bytesIn: 0, bytesOut: 0, byCommand: {}, addressesLearned: 0, inv: {},
  };
}

/** Pure: the peer's stats after one more of its events. Returns a new object; never mutates `prev`. */
export function reducePeer(prev: PeerStats | undefined, event: PeerEvent): PeerStats {
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

/** Ready now, or was ready when we closed it: whose word counts for consensus and agents. */
export function wasReadyAtEnd(p: PeerStats): boolean {
  return p.state === 'ready' || (p.state === 'closed' && p.readyAt !== undefined);
}

export function isActive(state: PeerState): boolean {
  return state === 'connecting' || state === 'handshaking' || state === 'ready';
}
