import type { PeerEvent, PeerState } from '../events.js';
import { applyPeerEvent, draftPeer, isActive, newPeerStats, type PeerStats } from './peer-stats.js';
import { AddressTally, applyTotalsEvent, EMPTY_TOTALS, type Totals, type TotalsContext } from './totals.js';

/** The `peer` of events about the session itself (addresses from discovery), not about one connection. */
export const SESSION_EVENTS = '@session';

/** Ended peers kept for the view; older ones are forgotten so a long session stays bounded. */
export const KEEP_ENDED_PEERS = 64;

/**
 * What a stats subscriber reads: the current stats of every peer kept, and the network totals. What it
 * hands out never changes afterwards: every PeerStats and Totals object read here stays as it was.
 */
export interface StatsState {
  readonly peers: ReadonlyMap<string, PeerStats>;
  readonly totals: Totals;
}

const NOTHING_NEW: TotalsContext = { newlyKnown: 0, newlyTried: 0 };

/**
 * The reduced state of a session: where the reducers' results are kept. A persistent map copied per
 * event (or per batch) would cost O(peers) each time, so the map is this holder's own.
 *
 * Events are folded with the reducers' own rules (applyPeerEvent, applyTotalsEvent) into drafts: the
 * first event of a peer after the state was last read copies that peer's stats once; its later events,
 * in this batch or the next ones, update that copy. Reading the state (`peers`, `totals`) seals the
 * drafts: from then on they are the published stats, never written again, and the next change copies
 * anew. So a peer costs one new object per read in which it changed (once per reporting interval in a
 * monitor), not one per event, and the result is the same as reducePeer / reduceTotals applied event
 * by event (a test holds them equal).
 */
export class StatsCollector implements StatsState {
  private readonly current = new Map<string, PeerStats>();
  /** Peers changed since the state was last read: their drafts, which own all they hold. */
  private readonly drafts = new Map<string, PeerStats>();
  private published: Totals = EMPTY_TOTALS;
  /** The totals changed since last read, if they did. */
  private draftTotals?: Totals;
  private readonly tally = new AddressTally();
  private readonly ended: string[] = [];

  /** Every peer kept, by id. Reading seals what changed: the objects returned never change. */
  get peers(): ReadonlyMap<string, PeerStats> {
    this.seal();
    return this.current;
  }

  get totals(): Totals {
    this.seal();
    return this.published;
  }

  /** One event: a batch of one. */
  apply = (event: PeerEvent): void => {
    this.applyBatch([event]);
  };

  /** Folds a batch in (events in order). Returns this holder, for scan-like use. */
  applyBatch(batch: readonly PeerEvent[]): this {
    const { current, drafts } = this;
    const base = this.published;
    let totals = this.draftTotals;
    if (totals === undefined && batch.length > 0) this.draftTotals = totals = { ...base };
    for (let i = 0; i < batch.length; i++) {
      const event = batch[i];
      const id = event.peer;
      if (id === SESSION_EVENTS) {
        applyTotalsEvent(totals!, base, event, this.tally.record(event));
        continue;
      }
      let draft = drafts.get(id);
      let before: PeerState | undefined;
      if (draft === undefined) {
        const prev = current.get(id);
        draft = prev === undefined ? newPeerStats(event) : draftPeer(prev);
        before = prev?.state;
        current.set(id, draft);
        drafts.set(id, draft);
      } else {
        before = draft.state;
      }
      applyPeerEvent(draft, undefined, event);
      if (event.type === 'message') {
        applyTotalsEvent(totals!, base, event, NOTHING_NEW);
      } else if (event.type === 'state' || event.type === 'addresses') {
        const fresh = this.tally.record(event);
        applyTotalsEvent(totals!, base, event, { newlyKnown: fresh.newlyKnown, newlyTried: fresh.newlyTried, before });
        if (event.type === 'state' && !isActive(event.state) && (before === undefined || isActive(before))) {
          this.ended.push(id);
          while (this.ended.length > KEEP_ENDED_PEERS) this.forget(this.ended.shift()!);
        }
      }
    }
    return this;
  }

  /** The drafts become the published stats: later events copy them before changing anything. */
  private seal(): void {
    if (this.draftTotals !== undefined) {
      this.published = this.draftTotals;
      this.draftTotals = undefined;
    }
    this.drafts.clear();
  }

  private forget(id: string): void {
    this.current.delete(id);
    // Should the peer speak again, it starts afresh, as it would event by event.
    this.drafts.delete(id);
  }
}
