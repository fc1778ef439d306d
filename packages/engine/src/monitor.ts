import { Observable, ReplaySubject, Subject, share, type Subscription } from 'rxjs';
import type { PeerEvent } from './events.js';
import type { Executor } from './executor.js';
import { InProcessExecutor } from './in-process-executor.js';
import { PoolExecutor } from './pool-executor.js';
import { PeerKeeper, type PeerKeeperOptions } from './peer-keeper.js';
import { SESSION_EVENTS, StatsCollector } from './stats/collector.js';
import { isActive, type PeerStats } from './stats/peer-stats.js';
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

/**
 * A running monitor: the embedding API. Subscribe to the observables, then `start()`.
 * - events$: every PeerEvent, as it happens
 * - peers$: per-peer stats, every interval
 * - stats$: a network snapshot every interval, and a final one when stopped; completes on stop
 */
export class Monitor {
  readonly events$: Observable<PeerEvent>;
  readonly stats$: Observable<NetworkSnapshot>;
  readonly peers$: Observable<PeerStats[]>;
  readonly keeper: PeerKeeper;
  private readonly executor: Executor;
  private readonly collector = new StatsCollector();
  private readonly statsSubject = new ReplaySubject<NetworkSnapshot>(1);
  private readonly peersSubject = new Subject<PeerStats[]>();
  private readonly eventsSubject = new Subject<PeerEvent>();
  private readonly intervalMs: number;
  private readonly startedAt = Date.now();
  private last?: NetworkSnapshot;
  private timer?: NodeJS.Timeout;
  private subscription?: Subscription;
  private stopped?: Promise<NetworkSnapshot>;

  constructor(private readonly options: MonitorOptions) {
    this.executor = options.executor ?? (options.threads === 0 ? new InProcessExecutor() : new PoolExecutor({ threads: options.threads ?? 1 }));
    this.intervalMs = options.intervalMs ?? 5_000;
    this.events$ = this.eventsSubject.asObservable();
    this.stats$ = this.statsSubject.asObservable();
    this.peers$ = this.peersSubject.asObservable().pipe(share());
    this.keeper = new PeerKeeper({ ...options, executor: this.executor });
  }

  async start(): Promise<void> {
    this.subscription = this.executor.events$.subscribe((e) => {
      this.collector.apply(e);
      this.eventsSubject.next(e);
    });
    this.timer = setInterval(() => this.emit(), this.intervalMs);
    await this.keeper.start();
  }

  /**
   * Addresses from outside the peers (a discovery service): counted as known, and dialled when the
   * filter allows. Accepts `host:port` and `key@host:port`.
   */
  learn(addresses: string[]): void {
    if (addresses.length === 0) return;
    const event: PeerEvent = { type: 'addresses', addresses, peer: SESSION_EVENTS, address: '', at: Date.now() };
    this.collector.apply(event);
    this.eventsSubject.next(event);
    this.keeper.learn(addresses);
  }

  /**
   * The snapshot of this moment; rates are over the time since the last emitted one. Calling it does
   * not move that base: only what stats$ emits does.
   */
  snapshot(): NetworkSnapshot {
    return buildSnapshot({
      peers: this.collector.peers.values(), totals: this.collector.totals, target: this.options.target,
      startedAt: this.startedAt, now: Date.now(), previous: this.last,
    });
  }

  private emit(): void {
    const snap = (this.last = this.snapshot());
    this.statsSubject.next(snap);
    this.peersSubject.next(snap.peers.filter((p) => isActive(p.state)));
  }

  /** Closes every connection; resolves with the final snapshot (also the last value of stats$). */
  stop(): Promise<NetworkSnapshot> {
    this.stopped ??= (async () => {
      clearInterval(this.timer);
      await this.keeper.stop();
      await this.executor.close();
      this.subscription?.unsubscribe();
      const final = (this.last = this.snapshot());
      this.statsSubject.next(final);
      this.statsSubject.complete();
      this.peersSubject.complete();
      this.eventsSubject.complete();
      return final;
    })();
    return this.stopped;
  }
}

export function createMonitor(options: MonitorOptions): Monitor {
  return new Monitor(options);
}
