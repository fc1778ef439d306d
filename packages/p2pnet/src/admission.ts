import type { Direction } from '@peerscope/engine/protocol';
import type { Verdict } from './protocol.js';

/** A connection as admission sees it. */
export interface Claimant {
  readonly direction: Direction;
  stop(): void;
}

/**
 * Which connections a node keeps: one per remote node id, never one to itself. The verdicts are made
 * here, on the node's thread, in the order the handshakes reach it, so two connections racing on
 * different worker threads still get one consistent answer.
 */
export class Admission {
  /** Remote node id → the connection that holds it. */
  private readonly claimed = new Map<string, string>();
  /** Connections closed because a simultaneous dial's other connection won the tie-break. */
  private readonly superseded = new Set<string>();

  constructor(
    private readonly ownId: string,
    private readonly lookup: (connId: string) => Claimant | undefined,
  ) {}

  decide(connId: string, direction: Direction, remoteId: string): Verdict {
    if (remoteId === this.ownId) return 'self-connection';
    const holderId = this.claimed.get(remoteId);
    const holder = holderId !== undefined && holderId !== connId ? this.lookup(holderId) : undefined;
    if (holder) {
      if (!this.winsTieBreak(direction, holder.direction, remoteId)) return 'duplicate';
      this.superseded.add(holderId!);
      holder.stop();
    }
    this.claimed.set(remoteId, connId);
    return 'admit';
  }

  /** The connection ended. True if it was closed for losing a tie-break (its 'stopped' means 'duplicate'). */
  release(connId: string, remoteId: string | undefined): boolean {
    if (remoteId !== undefined && this.claimed.get(remoteId) === connId) this.claimed.delete(remoteId);
    return this.superseded.delete(connId);
  }

  /**
   * Two nodes dialling each other at once each hold an outbound and an inbound connection with the
   * other, and each side sees them in its own order; refusing the later one on both sides can close
   * both. Instead both sides keep the connection dialled by the node with the smaller id (the same
   * answer on both ends, whatever the timing). Two connections in the same direction are a plain
   * duplicate: the newer one is refused.
   */
  private winsTieBreak(direction: Direction, holderDirection: Direction, remoteId: string): boolean {
    if (direction === holderDirection) return false;
    const dialledBySmaller: Direction = this.ownId < remoteId ? 'outbound' : 'inbound';
    return direction === dialledBySmaller;
  }
}
