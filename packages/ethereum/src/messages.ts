import type { Hello } from './p2p/hello.js';
import type { Status } from './eth/status.js';

/**
 * What the Ethereum codec reads and writes. The first two are the RLPx key agreement (the codec does
 * the cryptography; the actor only orders the steps), the rest ride in encrypted frames.
 */
export type EthMessage =
  /** Out: start the handshake with this node id. In: a peer dialled us (its id, and whether it used EIP-8). */
  | { type: 'auth'; remoteId: string; eip8?: boolean }
  /** Out: send the prepared ack. In: the recipient answered. */
  | { type: 'ack'; eip8?: boolean }
  | { type: 'hello'; hello: Hello }
  | { type: 'disconnect'; reason: number }
  | { type: 'ping' }
  | { type: 'pong' }
  | { type: 'status'; status: Status }
  /** Any other eth message: id relative to the eth offset, RLP payload (decompressed). */
  | { type: 'eth'; code: number; payload: Uint8Array }
  /** A message of another capability, by absolute message id. */
  | { type: 'other'; id: number; payload: Uint8Array };
