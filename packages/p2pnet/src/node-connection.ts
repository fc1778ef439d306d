import type { Direction } from '@peerscope/engine/protocol';
import type { Compression } from './compression.js';
import type { MessageData } from './message.js';

/** The node's side of one connection in the ready state (p2pnetwork's NodeConnection). */
export class NodeConnection {
  /** Per-connection store for the application (p2pnetwork's set_info / get_info). */
  readonly info = new Map<string, unknown>();
  /** Messages sent and received on this connection. */
  readonly counts = { sent: 0, received: 0 };

  constructor(
    /** The remote node's id, from the handshake. */
    readonly id: string,
    readonly host: string,
    /** The remote node's listening port (from `id:port`), or the port we dialled. */
    readonly port: number,
    readonly direction: Direction,
    /** The engine's connection id. */
    readonly connectionId: string,
    private readonly sendFn: (node: NodeConnection, data: MessageData, compression?: Compression | 'none') => void,
  ) {}

  send(data: MessageData, options: { compression?: Compression | 'none' } = {}): void {
    this.sendFn(this, data, options.compression);
  }

  setInfo(key: string, value: unknown): void {
    this.info.set(key, value);
  }

  getInfo(key: string): unknown {
    return this.info.get(key);
  }

  toString(): string {
    return `NodeConnection(${this.direction} ${this.host}:${this.port} ${this.id.slice(0, 16)})`;
  }

  toJSON(): { id: string; host: string; port: number; direction: Direction } {
    return { id: this.id, host: this.host, port: this.port, direction: this.direction };
  }
}
