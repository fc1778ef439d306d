/**
 * PeerEvent: everything a peer connection tells the rest of peerscope. Plain, structured-clone-safe
 * objects, because they cross the worker → main thread boundary in batches. Every statistic is derived
 * from these events; nothing is read out of a worker's memory.
 */

export type PeerState = 'connecting' | 'handshaking' | 'ready' | 'failed' | 'closed';

/** Why a peer ended. 'stopped' is the only reason of the 'closed' state; all others mean 'failed'. */
export type FailureReason =
  | 'refused' // connection refused (RST to our SYN)
  | 'unreachable' // no route, host down, DNS failure
  | 'timeout-connect'
  | 'timeout-handshake'
  | 'timeout-stall' // a started message did not complete in time, or the peer went silent
  | 'reset' // ECONNRESET / EPIPE after the connection was up
  | 'closed-by-peer' // orderly FIN from the peer
  | 'bad-magic'
  | 'bad-checksum'
  | 'oversize' // declared or buffered length over the protocol's limit
  | 'malformed' // payload does not parse, non-canonical encoding, limits on entries
  | 'protocol-violation' // well-formed but not allowed here (e.g. a second version message)
  | 'flood' // more traffic than the protocol's limits allow
  | 'self-connection' // we dialled ourselves
  | 'duplicate' // a second connection to a peer already connected
  | 'worker-crash'
  | 'stopped';

export const PROTOCOL_FAILURES: ReadonlySet<FailureReason> = new Set<FailureReason>([
  'bad-magic', 'bad-checksum', 'oversize', 'malformed', 'protocol-violation', 'flood',
]);

/** What a peer said about itself in its handshake. Protocol-specific extras go in `details`. */
export interface PeerInfo {
  version?: number;
  userAgent?: string;
  services?: string[];
  startHeight?: number;
  details?: Record<string, string | number | boolean | string[] | null>;
}

export type PeerEventBody =
  | { type: 'state'; state: PeerState; reason?: FailureReason; detail?: string }
  | { type: 'handshake'; info: PeerInfo }
  /** Traffic: `count` messages of one command (one event per command per socket read), `bytes` in all, framing included. */
  | { type: 'message'; dir: 'in' | 'out'; command: string; bytes: number; count: number }
  | { type: 'rtt'; ms: number }
  | { type: 'height'; height: number }
  /**
   * Addresses learned from the peer, as `host:port` (IPv6 in brackets) or `key@host:port` when the
   * protocol needs the peer's identity to dial it. Recorded, dialled only if allowed. Addresses found by
   * a discovery service arrive with `peer` set to SESSION_EVENTS.
   */
  | { type: 'addresses'; addresses: string[] }
  /** Inventory announcements by type name (e.g. block, tx, witness-tx). */
  | { type: 'inv'; counts: Record<string, number> }
  /**
   * Application data a protocol hands to the embedding program (a p2pnet message, a Bitcoin reject).
   * `data` must be structured-clone-safe.
   */
  | { type: 'app'; name: string; data: unknown };

/** A body stamped by the engine with the connection id, the peer's address and the time (ms since epoch). */
export type PeerEvent = PeerEventBody & { peer: string; address: string; at: number };

export type PeerEventOf<T extends PeerEventBody['type']> = Extract<PeerEvent, { type: T }>;
