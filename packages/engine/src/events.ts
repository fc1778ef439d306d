/**
 * PeerEvent: everything a peer connection tells the rest of peerscope. Plain, structured-clone-safe
 * objects, because they cross the worker → main thread boundary in batches. Every statistic is derived
 * from these events; nothing is read out of a worker's memory.
 */

export type PeerState = 'connecting' | 'handshaking' | 'ready' | 'failed' | 'closed';

/**
 * Why a peer ended, as far as the engine itself can tell: the transport, the timers, the thread.
 * 'stopped' is the only reason of the 'closed' state; all others mean 'failed'.
 */
export const ENGINE_FAILURES = {
  refused: 'connection refused (RST to our SYN)',
  unreachable: 'no route, host down, or the name did not resolve',
  'timeout-connect': 'TCP connect did not complete in time',
  'timeout-handshake': 'the handshake did not complete in time',
  'timeout-stall': 'a started message did not complete in time, or the peer went silent',
  reset: 'the connection was reset (ECONNRESET, EPIPE)',
  'closed-by-peer': 'the peer closed the connection',
  flood: 'more traffic than the limits allow, or the peer does not read',
  'worker-crash': 'the worker thread running this peer died',
  internal: 'a bug in peerscope or in the protocol module (an exception in a handler)',
  stopped: 'closed by us',
} as const;

/**
 * Reasons any protocol may use without declaring them: the peer broke the protocol's rules in a way
 * every wire protocol has.
 */
export const COMMON_PROTOCOL_FAILURES = {
  oversize: "a declared or buffered length over the protocol's limit",
  malformed: 'a message that does not parse',
  'protocol-violation': 'a well-formed message that is not allowed here',
  'self-connection': 'we dialled ourselves',
  duplicate: 'a second connection to a peer already connected',
} as const;

export type EngineFailure = keyof typeof ENGINE_FAILURES;
export type CommonProtocolFailure = keyof typeof COMMON_PROTOCOL_FAILURES;

/**
 * A failure reason: the engine's own, the common protocol ones, or one a protocol declares in
 * `Protocol.failures` (e.g. Bitcoin's 'bad-magic'). Events carry it as a string, so a new protocol adds
 * reasons without touching the engine; `Declared` narrows it where a protocol's reasons are known.
 */
export type FailureReason<Declared extends string = string> = EngineFailure | CommonProtocolFailure | Declared;

/** How a peer ended: the output of its machine's final state. */
export interface PeerEnd {
  state: Extract<PeerState, 'failed' | 'closed'>;
  reason: FailureReason;
  detail?: string;
}

/** What a peer said about itself in its handshake. Protocol-specific extras go in `details`. */
export interface PeerInfo {
  version?: number;
  userAgent?: string;
  services?: string[];
  startHeight?: number;
  details?: Record<string, string | number | boolean | string[] | null>;
}

export type PeerEventBody =
  | { type: 'state'; state: PeerState; reason?: FailureReason; detail?: string; direction?: 'outbound' | 'inbound' }
  | { type: 'handshake'; info: PeerInfo }
  /** Traffic: `count` messages of one command (one event per command per socket read), `bytes` in all, framing included. */
  | { type: 'message'; dir: 'in' | 'out'; command: string; bytes: number; count: number }
  | { type: 'rtt'; ms: number }
  | { type: 'height'; height: number }
  /**
   * Addresses learned from the peer, as `host:port` (IPv6 in brackets) or `key@host:port` when the
   * protocol needs the peer's identity to dial it. Recorded, dialled only if allowed. Addresses found by
   * a discovery service arrive with `peer` set to SESSION_EVENTS. `count`, when present, is how many
   * entries the peer's message had: a protocol told to report each address once per session (a crawl
   * hears each address hundreds of times) lists only the new ones.
   */
  | { type: 'addresses'; addresses: string[]; count?: number }
  /** Inventory announcements by type name (e.g. block, tx, witness-tx). */
  | { type: 'inv'; counts: Record<string, number> }
  /**
   * Application data a protocol hands to the embedding program (a p2pnet message, a Bitcoin reject).
   * `data` must be structured-clone-safe.
   */
  | { type: 'app'; name: string; data: unknown };

/** A body stamped by the engine with the connection id, the peer's address and the time (ms since epoch). */
export type PeerEvent = PeerEventBody & { peer: string; address: string; at: number };

