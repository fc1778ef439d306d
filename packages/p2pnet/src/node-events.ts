import type { FailureReason } from '@peerscope/engine';
import type { NodeConnection } from './node-connection.js';

/**
 * A node's events, named after p2pnetwork's callbacks (outbound_node_connected → 'outbound-node-connected'),
 * plus what p2pnetwork keeps silent: failed dials, reconnect attempts, undecodable messages and exceptions
 * thrown by the application's own hooks and subscribers.
 */
export type NodeEvent =
  | { type: 'outbound-node-connected'; node: NodeConnection }
  | { type: 'inbound-node-connected'; node: NodeConnection }
  | { type: 'outbound-node-disconnected'; node: NodeConnection; reason: FailureReason; detail?: string }
  | { type: 'inbound-node-disconnected'; node: NodeConnection; reason: FailureReason; detail?: string }
  | { type: 'node-message'; node: NodeConnection; data: unknown }
  | { type: 'node-disconnect-with-outbound-node'; node: NodeConnection }
  | { type: 'node-request-to-stop' }
  | { type: 'connect-failed'; host: string; port: number; reason: FailureReason; detail?: string }
  | { type: 'reconnecting'; host: string; port: number; attempt: number; delayMs: number }
  | { type: 'inbound-refused'; host: string; port: number; reason: FailureReason; detail?: string }
  /**
   * A packet dropped (received: 'oversize' or 'malformed', e.g. a decompression bomb), or a send that
   * failed. `message` is the same text as `error` (as on 'error' events, whose `error` is an object and
   * left out of JSON output: a JSON line of either carries the text in `message`).
   */
  | { type: 'message-error'; node: NodeConnection; error: string; message: string; reason?: 'oversize' | 'malformed' }
  /**
   * A hook method (`hook`: its name, e.g. 'nodeMessage') or a subscriber of events$ (`hook`:
   * 'subscriber:<event type>') threw. The connection goes on; messageCount.errors counts it.
   */
  | { type: 'error'; hook: string; error: unknown; message: string; node?: NodeConnection };

export type NodeEventType = NodeEvent['type'];
export type NodeEventOf<T extends NodeEventType> = Extract<NodeEvent, { type: T }>;
