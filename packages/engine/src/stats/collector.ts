import type { PeerEvent } from '../events.js';
import { isActive, reducePeer, type PeerStats } from './peer-stats.js';
import { AddressTally, EMPTY_TOTALS, reduceTotals, type Totals } from './totals.js';

/** The `peer` of events about the session itself (addresses from discovery), not about one connection. */
export const SESSION_EVENTS = '@session';

/** Ended peers kept for the view; older ones are forgotten so a long session stays bounded. */
export const KEEP_ENDED_PEERS = 64;

/**
 * Holds the latest reduced state. The reducers are pure; this is only where their results are kept
 * (a persistent map copied per event would cost O(peers) per message).
 */
export class StatsCollector {
  readonly peers = new Map<string, PeerStats>();
  totals: Totals = EMPTY_TOTALS;
  private readonly tally = new AddressTally();
  private readonly ended: string[] = [];

  apply = (event: PeerEvent): void => {
    const fresh = this.tally.record(event);
    if (event.peer === SESSION_EVENTS) {
      this.totals = reduceTotals(this.totals, event, fresh);
      return;
    }
    const before = this.peers.get(event.peer);
    const after = reducePeer(before, event);
    this.peers.set(event.peer, after);
    this.totals = reduceTotals(this.totals, event, { ...fresh, before: before?.state });
    if (event.type === 'state' && !isActive(event.state) && (before === undefined || isActive(before.state))) {
      this.ended.push(event.peer);
      while (this.ended.length > KEEP_ENDED_PEERS) this.peers.delete(this.ended.shift()!);
    }
  };
}
