import type { Direction } from '@peerscope/engine/protocol';
import type { Verdict } from './protocol.js';

/** A connection as admission sees it. */
export interface Claimant {
  readonly direction: Direction;
  /** The remote host (an accepted connection's source address, or the host we dialled). */
  readonly host: string;
  /** The port we dialled (outbound), or the listening port the remote claimed in its handshake (inbound). */
  readonly port: number;
  stop(): void;
}

/** Loopback spelled differently is the same host. */
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '::ffff:127.0.0.1']);
function sameHost(a: string, b: string): boolean {
  return a === b || (LOOPBACK.has(a) && LOOPBACK.has(b));
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

  decide(connId: string, claimant: Omit<Claimant, 'stop'>, remoteId: string): Verdict {
    if (remoteId === this.ownId) return 'self-connection';
    const holderId = this.claimed.get(remoteId);
    const holder = holderId !== undefined && holderId !== connId ? this.lookup(holderId) : undefined;
    if (holder) {
      if (!this.winsTieBreak(claimant, holder, remoteId)) return 'duplicate';
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
  private winsTieBreak(claimant: Omit<Claimant, 'stop'>, holder: Claimant, remoteId: string): boolean {
    if (claimant.direction === holder.direction) return false;
    const dialledBySmaller: Direction = this.ownId < remoteId ? 'outbound' : 'inbound';
    if (claimant.direction !== dialledBySmaller) return false;
    // Anyone can claim any id. A connection we dialled reached the address we chose; an inbound one
    // claiming that node's id replaces it only if it could be that node dialling us at the same time:
    // from the host we dialled, naming as its listening port the port we dialled. A stranger claiming
    // the id of a node we dialled must not take its traffic (issue 9, defect 6).
    if (claimant.direction === 'inbound') return sameHost(claimant.host, holder.host) && claimant.port === holder.port;
    return true;
  }
}
