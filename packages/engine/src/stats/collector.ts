import type { PeerEvent, PeerState } from '../events.js';
import { applyPeerEvent, isActive, newPeerStats, type PeerStats } from './peer-stats.js';
import { AddressTally, applyTotalsEvent, EMPTY_TOTALS, type Totals, type TotalsContext } from './totals.js';

/** The `peer` of events about the session itself (addresses from discovery), not about one connection. */
export const SESSION_EVENTS = '@session';

/** Ended peers kept for the view; older ones are forgotten so a long session stays bounded. */
export const KEEP_ENDED_PEERS = 64;

/** What a stats subscriber reads: the current stats of every peer kept, and the network totals. */
export interface StatsState {
  readonly peers: ReadonlyMap<string, PeerStats>;
  readonly totals: Totals;
}

/** Marks a peer first seen in the batch being folded (it had no stats before it). */
const NEW_PEER = Symbol('new peer');
const NOTHING_NEW: TotalsContext = { newlyKnown: 0, newlyTried: 0 };

/**
 * The reduced state of a session: where the reducers' results are kept. A persistent map copied per
 * event (or per batch) would cost O(peers) each time, so the map is this holder's own; what it holds
 * never changes once a batch is folded: every PeerStats and Totals object a snapshot took stays as it
 * was. A batch is folded with the reducers' rules (applyPeerEvent, applyTotalsEvent) on drafts: one new
 * PeerStats per peer present in the batch and one new Totals per batch, whatever the number of events;
 * the result is the same as reducePeer / reduceTotals applied event by event (a test holds them equal).
 */
export class StatsCollector implements StatsState {
  readonly peers = new Map<string, PeerStats>();
  totals: Totals = EMPTY_TOTALS;
  private readonly tally = new AddressTally();
  private readonly ended: string[] = [];
  /** During a fold: the peers drafted so far, each with the stats it had before the batch. */
  private readonly drafted = new Map<string, PeerStats | typeof NEW_PEER>();

  /** One event: a batch of one. */
  apply = (event: PeerEvent): void => {
    this.applyBatch([event]);
  };

  /** Folds a batch in (events in order). Returns this holder, for scan-like use. */
  applyBatch(batch: readonly PeerEvent[]): this {
    if (batch.length === 0) return this;
    const { peers, drafted } = this;
    const base = this.totals;
    const totals: Totals = { ...base };
    try {
      for (let i = 0; i < batch.length; i++) {
        const event = batch[i];
        const id = event.peer;
        if (id === SESSION_EVENTS) {
          applyTotalsEvent(totals, base, event, this.tally.record(event));
          continue;
        }
        const original = drafted.get(id);
        let next: PeerStats;
        let prev: PeerStats | undefined;
        let before: PeerState | undefined;
        if (original === undefined) {
          prev = peers.get(id);
          next = prev === undefined ? newPeerStats(event) : { ...prev };
          before = prev?.state;
          peers.set(id, next);
          drafted.set(id, prev ?? NEW_PEER);
        } else {
          next = peers.get(id)!;
          prev = original === NEW_PEER ? undefined : original;
          before = next.state;
        }
        applyPeerEvent(next, prev, event);
        if (event.type === 'message') {
          applyTotalsEvent(totals, base, event, NOTHING_NEW);
        } else if (event.type === 'state' || event.type === 'addresses') {
          const fresh = this.tally.record(event);
          applyTotalsEvent(totals, base, event, { newlyKnown: fresh.newlyKnown, newlyTried: fresh.newlyTried, before });
          if (event.type === 'state' && !isActive(event.state) && (before === undefined || isActive(before))) this.ended.push(id);
          while (this.ended.length > KEEP_ENDED_PEERS) this.forget(this.ended.shift()!);
        }
      }
    } finally {
      this.totals = totals;
      drafted.clear();
    }
    return this;
  }

  private forget(id: string): void {
    this.peers.delete(id);
    // Should the peer speak again later in this batch, it starts afresh, as it would event by event.
    this.drafted.delete(id);
  }
}
