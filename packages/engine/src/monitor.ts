import {
  connect, connectable, interval, last, map, merge, Observable, ReplaySubject, scan, share, Subject, switchMap, takeUntil, tap,
  type Connectable,
} from 'rxjs';
import type { PeerEvent } from './events.js';
import type { Executor } from './executor.js';
import { InProcessExecutor } from './in-process-executor.js';
import { PoolExecutor } from './pool-executor.js';
import { PeerKeeper, type PeerKeeperOptions } from './peer-keeper.js';
import { SESSION_EVENTS, StatsCollector, type StatsState } from './stats/collector.js';
import { isActive, type PeerStats } from './stats/peer-stats.js';
import { flattenBatches, reduceStats, sampleOn } from './stats/pipeline.js';
import { buildSnapshot, type NetworkSnapshot } from './stats/snapshot.js';

/** What a protocol package hands the monitor: which module to load in workers and its settings. */
export interface ProtocolChoice {
  protocol: string;
  config: unknown;
  defaultPort: number;
  dnsSeeds?: string[];
}

export interface MonitorOptions extends ProtocolChoice, Omit<PeerKeeperOptions, 'executor' | keyof ProtocolChoice> {
  /** Worker threads; 0 runs every peer on this thread. Default 1. */
  threads?: number;
  /** Snapshot interval for stats$ and peers$ (default 5 s). */
  intervalMs?: number;
  /** Use this executor instead of building one from `threads`. */
  executor?: Executor;
}

/** One output of the reporter: a snapshot, the active peers in it, and whether it is the final one. */
interface Report {
  snapshot: NetworkSnapshot;
  active: PeerStats[];
  final: boolean;
}

/**
 * A running monitor: the embedding API. Subscribe to the observables, then `start()`.
 * - events$: every PeerEvent, as it happens
 * - peers$: per-peer stats of the active peers, every interval
 * - stats$: a network snapshot every interval, and a final one when stopped; completes on stop. A late
 *   subscriber gets the latest snapshot at once.
 *
 * The reporter is one rxjs pipeline, built here and run once (every subscriber shares it):
 * ```
 * merge(executor.batches$, learn()) → reduceStats() (the reducers, folded per batch)
 *   → sampleOn(interval) (the latest state each interval) + last() (the final state on stop)
 *   → scan(buildSnapshot, rates against the previous snapshot) → ReplaySubject(1) → stats$, peers$
 * ```
 * Every view is a plain subscriber of it. Delivery is synchronous and nothing in it buffers: a view
 * that blocks only delays the ticks it overlaps (they are skipped, not made up), and a view busy with
 * asynchronous work skips snapshots if it uses `conflate` (see stats/pipeline.ts).
 */
export class Monitor {
  readonly events$: Observable<PeerEvent>;
  readonly stats$: Observable<NetworkSnapshot>;
  readonly peers$: Observable<PeerStats[]>;
  readonly keeper: PeerKeeper;
  private readonly executor: Executor;
  private readonly intervalMs: number;
  private readonly startedAt = Date.now();
  /** Addresses given to learn(): events about the session, merged with the executor's batches. */
  private readonly session = new Subject<readonly PeerEvent[]>();
  private readonly started = new ReplaySubject<void>(1);
  private readonly stopping = new ReplaySubject<void>(1);
  /** The executor has closed: intake ends, which makes the final snapshot. */
  private readonly closed = new ReplaySubject<void>(1);
  private readonly reports: Connectable<Report>;
  /** The reduced state, as the pipeline's one accumulator holds it (empty until it runs). */
  private state: StatsState = new StatsCollector();
  /** The last snapshot stats$ emitted: the base of the next one's rates. */
  private last?: NetworkSnapshot;
  private stopped?: Promise<NetworkSnapshot>;

  constructor(private readonly options: MonitorOptions) {
    this.executor = options.executor ?? (options.threads === 0 ? new InProcessExecutor() : new PoolExecutor({ threads: options.threads ?? 1 }));
    this.intervalMs = options.intervalMs ?? 5_000;
    this.keeper = new PeerKeeper({ ...options, executor: this.executor });

    const intake$ = merge(this.executor.batches$, this.session).pipe(takeUntil(this.closed), share());
    const ticks$ = this.started.pipe(
      switchMap(() => interval(this.intervalMs)),
      takeUntil(this.stopping),
    );
    this.reports = connectable(
      intake$.pipe(
        reduceStats(),
        tap((state) => (this.state = state)),
        connect((state$) =>
          merge(
            state$.pipe(sampleOn(ticks$), map((state) => ({ state, final: false }))),
            state$.pipe(last(), map((state) => ({ state, final: true }))),
          ),
        ),
        scan<{ state: StatsState; final: boolean }, Report, undefined>((previous, { state, final }) => {
          const snapshot = this.build(state, previous?.snapshot);
          return { snapshot, active: final ? [] : snapshot.peers.filter((p) => isActive(p.state)), final };
        }, undefined),
        tap((report) => (this.last = report.snapshot)),
      ),
      { connector: () => new ReplaySubject<Report>(1), resetOnDisconnect: false },
    );
    this.stats$ = this.reports.pipe(map((r) => r.snapshot));
    this.peers$ = this.reports.pipe(
      takeUntil(this.stopping),
      map((r) => r.active),
    );
    this.events$ = intake$.pipe(flattenBatches());
    // Runs from now on, whoever subscribes: the state is there for snapshot() before start().
    this.reports.connect();
  }

  async start(): Promise<void> {
    this.started.next();
    this.started.complete();
    await this.keeper.start();
  }

  /**
   * Addresses from outside the peers (a discovery service): counted as known, and dialled when the
   * filter allows. Accepts `host:port` and `key@host:port`.
   */
  learn(addresses: string[]): void {
    if (addresses.length === 0) return;
    this.session.next([{ type: 'addresses', addresses, peer: SESSION_EVENTS, address: '', at: Date.now() }]);
    this.keeper.learn(addresses);
  }

  /**
   * The snapshot of this moment; rates are over the time since the last emitted one. Calling it does
   * not move that base: only what stats$ emits does.
   */
  snapshot(): NetworkSnapshot {
    return this.build(this.state, this.last);
  }

  private build(state: StatsState, previous: NetworkSnapshot | undefined): NetworkSnapshot {
    return buildSnapshot({
      peers: state.peers.values(), totals: state.totals, target: this.options.target,
      startedAt: this.startedAt, now: Date.now(), previous,
    });
  }

  /** Closes every connection; resolves with the final snapshot (also the last value of stats$). */
  stop(): Promise<NetworkSnapshot> {
    this.stopped ??= (async () => {
      this.stopping.next();
      this.stopping.complete();
      await this.keeper.stop();
      await this.executor.close();
      this.closed.next();
      this.closed.complete();
      this.session.complete();
      return this.last ?? this.snapshot();
    })();
    return this.stopped;
  }
}

export function createMonitor(options: MonitorOptions): Monitor {
  return new Monitor(options);
}
