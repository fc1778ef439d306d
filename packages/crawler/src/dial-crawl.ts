import { connect, interval, last, merge, ReplaySubject, scan, takeUntil, type Observable, type Subscription } from 'rxjs';
import {
  AddressFilter, buildSnapshot, InProcessExecutor, PoolExecutor, reduceStats, sampleOn,
  type Executor, type NetworkSnapshot, type PeerEvent, type PeerInfo, type PeerTimeouts, type ProtocolChoice, type StatsState,
} from '@peerscope/engine';

/**
 * Worker young generation for a crawl (MB). A monitor keeps the engine's small default (memory per idle
 * peer); a crawl is one long connection burst that makes a string for each of up to 1,000 addresses per
 * node, and with the small space the worker spent a third of its time scavenging.
 */
const CRAWL_YOUNG_GENERATION_MB = 32;

/**
 * Where a node is in the crawl. `reachable` means a full handshake (never a bare TCP connect);
 * `skipped` addresses were recorded but are not dialled (outside --allow, inside --deny, or no IP:
 * Tor, I2P, names).
 */
export type NodeStatus = 'queued' | 'dialling' | 'reachable' | 'unreachable' | 'skipped';

/** What every crawl records of a node it dials: plain data (a snapshot is written from it). */
export interface DialNode {
  /** `host:port`, IPv6 in brackets. */
  address: string;
  host: string;
  port: number;
  status: NodeStatus;
  /** What the node said in its handshake, as the protocol reported it. */
  info?: PeerInfo;
  /** When the handshake completed (epoch ms). */
  connectedAt?: number;
  /** TCP connect time, ms. */
  connectMs?: number;
  /** From TCP connected to handshake done, ms. */
  handshakeMs?: number;
  /**
   * Unreachable: why the dial failed (the engine's or the protocol's typed reason: refused, timeout-connect, …).
   * Reachable: how the connection ended when not by us (a hostile node's bad-magic, …).
   * Skipped: why it was not dialled ('not-allowed').
   */
  reason?: string;
  detail?: string;
}

/** What every crawl is told: the protocol to dial with, and the limits. */
export interface DialCrawlOptions extends ProtocolChoice {
  /** Worker threads for the connections (0: this thread). Default 1. Ignored when `executor` is given. */
  threads?: number;
  /** Run on this executor (left open at the end) instead of one built from `threads`. */
  executor?: Executor;
  /** Connections at once. Default 64. */
  concurrency?: number;
  /** Stop dialling after this many nodes were tried. */
  maxNodes?: number;
  /** Stop after this long (ms), keeping what was crawled. */
  durationMs?: number;
  allow?: string[];
  deny?: string[];
  /** Connect, handshake and stall timeouts of every dial. Default 5 s each. */
  timeouts?: Partial<PeerTimeouts>;
  /** Nodes waiting to be dialled, at most; past it new ones are counted as dropped. Default 100,000. */
  maxQueue?: number;
  /** Nodes recorded at most (dialled or not); past it new ones are counted as dropped. Default 500,000. */
  maxKnown?: number;
  /** How often progress$ emits (ms). Default 250. */
  progressIntervalMs?: number;
  /** How often stats$ emits a snapshot (ms). Default 1,000. */
  statsIntervalMs?: number;
}

export interface CrawlProgress {
  /** Nodes recorded (dialable or not). */
  found: number;
  /** Recorded, not to be dialled (outside --allow, inside --deny, Tor/I2P/names). */
  skipped: number;
  /** Dials started. */
  tried: number;
  /** Full handshakes. */
  reachable: number;
  /** Dials that ended without a handshake. */
  failed: number;
  inFlight: number;
  queued: number;
  /** Nodes not recorded or not queued because a cap was reached. */
  dropped: number;
  /** Full handshakes per second since the start. */
  handshakesPerSecond: number;
  /** Time left at the current pace, ms (undefined before the first dial ends; 0 once ended). */
  etaMs: number | undefined;
  elapsedMs: number;
}

/** Why the crawl ended: nothing left to dial, a limit, or stop() (Ctrl-C). */
export type CrawlEnd = 'done' | 'max-nodes' | 'duration' | 'stopped';

export interface CrawlResult<N extends DialNode = DialNode, P extends CrawlProgress = CrawlProgress> {
  startedAt: number;
  endedAt: number;
  ended: CrawlEnd;
  progress: P;
  /** Every node recorded, in the order found. */
  nodes: N[];
  /** Problems that were not a node's (a seed that does not resolve). */
  warnings: string[];
}

export interface Dial<N extends DialNode> {
  node: N;
  startedAt: number;
  connectedAt?: number;
  timer?: NodeJS.Timeout;
  stopping?: boolean;
}

type Defaults = 'concurrency' | 'maxQueue' | 'maxKnown' | 'progressIntervalMs';

/**
 * What every crawl shares: each node is dialled once on the engine's peer machines, from a bounded FIFO
 * queue (so the crawl goes breadth first from where it started), at most `concurrency` at once; progress,
 * the engine's network snapshots, the limits (nodes, duration, queue, known) and stop(). A protocol's
 * crawl says where nodes come from (start(), admit()) and when a reachable node is done with (onReady).
 */
export abstract class DialCrawl<N extends DialNode, P extends CrawlProgress = CrawlProgress> {
  protected readonly executor: Executor;
  private readonly ownsExecutor: boolean;
  protected readonly filter: AddressFilter;
  /** Every node recorded, by the crawl's key for it (an address, a node id). */
  protected readonly known = new Map<string, N>();
  private readonly queue: N[] = [];
  private queueHead = 0;
  private readonly dials = new Map<string, Dial<N>>();
  private readonly progressSubject = new ReplaySubject<P>(1);
  /** Progress every `progressIntervalMs`, a last one when the crawl ends, then complete. */
  readonly progress$: Observable<P> = this.progressSubject.asObservable();
  readonly warnings: string[] = [];
  /** Every PeerEvent of the crawl's dials, as the executor delivers them (for a recorder, or a view of each dial). */
  readonly events$: Observable<PeerEvent>;
  /**
   * The engine's network snapshots of the dials, every `statsIntervalMs` and a final one when the crawl
   * ends, then complete: a Monitor's stats$, so the history recorder follows a crawl as it follows a
   * monitor. Cold: subscribe before run().
   */
  readonly stats$: Observable<NetworkSnapshot>;
  /** The crawl has ended and every dial with it. */
  private readonly over = new ReplaySubject<void>(1);
  protected counts = { tried: 0, reachable: 0, failed: 0, dropped: 0, skipped: 0 };
  private seq = 0;
  protected startedAt = 0;
  private subscription?: Subscription;
  protected ended?: CrawlEnd;
  private finish!: () => void;
  private readonly finished = new Promise<void>((resolve) => (this.finish = resolve));
  private result?: Promise<CrawlResult<N, P>>;
  private drained?: () => void;
  protected readonly options: Required<Pick<DialCrawlOptions, Defaults>> & DialCrawlOptions;

  constructor(options: DialCrawlOptions) {
    this.options = { concurrency: 64, maxQueue: 100_000, maxKnown: 500_000, progressIntervalMs: 250, ...options };
    this.ownsExecutor = !options.executor;
    this.executor = options.executor ?? (options.threads === 0 ? new InProcessExecutor() : new PoolExecutor({ threads: options.threads ?? 1, youngGenerationMb: CRAWL_YOUNG_GENERATION_MB }));
    this.filter = new AddressFilter(options.allow, options.deny);
    this.events$ = this.executor.events$;
    const statsMs = options.statsIntervalMs ?? 1_000;
    this.stats$ = this.executor.batches$.pipe(
      takeUntil(this.over),
      reduceStats(),
      connect((state$) => merge(state$.pipe(sampleOn(interval(statsMs))), state$.pipe(last()))),
      scan<StatsState, NetworkSnapshot, undefined>((previous, state) => buildSnapshot({
        peers: state.peers.values(), totals: state.totals, target: this.options.concurrency, startedAt: this.startedAt || Date.now(), now: Date.now(), previous,
      }), undefined),
    );
  }

  /** Where the first nodes come from (seeds, bootnodes); nodes found later are admit()ted as they come. */
  protected abstract start(): Promise<void>;
  /** A dial reached ready: hang it up now, or after what the crawl waits for (addresses). */
  protected abstract onReady(id: string, dial: Dial<N>): void;
  /** Events of a dial other than its state (handshake info, addresses, protocol data). */
  protected onDialEvent(_e: PeerEvent, _dial: Dial<N>): void {}
  /** Whether nodes may still arrive while nothing is queued or dialled (a discovery still walking). */
  protected moreToCome(): boolean {
    return false;
  }
  /** The crawl ended (a limit, stop(), or done): stop whatever finds nodes. */
  protected async stopFinding(): Promise<void> {}
  /** What the dial of `node` connects to; `key` is the identity the protocol needs before the first byte. */
  protected dialTarget(node: N): { host: string; port: number; key?: string } {
    return { host: node.host, port: node.port };
  }
  /** Fields a protocol's crawl adds to its progress. */
  protected progressExtra(): Omit<P, keyof CrawlProgress> {
    return {} as Omit<P, keyof CrawlProgress>;
  }

  /** Crawls until nothing is left to dial, a limit is reached, or stop(); resolves with what was found. */
  run(): Promise<CrawlResult<N, P>> {
    this.result ??= this.crawl();
    return this.result;
  }

  /** Ends the crawl now (Ctrl-C): open dials are hung up; run() resolves with what was crawled so far. */
  stop(): void {
    this.end('stopped');
  }

  /** The progress of this moment. */
  progress(): P {
    const elapsedMs = this.startedAt ? Date.now() - this.startedAt : 0;
    const { tried, reachable, failed, dropped, skipped } = this.counts;
    const queued = this.queue.length - this.queueHead;
    const inFlight = this.dials.size;
    let readyInFlight = 0;
    for (const d of this.dials.values()) if (d.node.status === 'reachable') readyInFlight++;
    const endedDials = reachable + failed - readyInFlight;
    const seconds = elapsedMs / 1000;
    let left = queued + inFlight;
    if (this.options.maxNodes !== undefined) left = Math.min(left, Math.max(0, this.options.maxNodes - tried) + inFlight);
    const pace = seconds > 0 ? endedDials / seconds : 0;
    const base: CrawlProgress = {
      found: this.known.size, skipped, tried, reachable, failed, inFlight, queued, dropped,
      handshakesPerSecond: seconds > 0 ? Math.round((reachable / seconds) * 10) / 10 : 0,
      etaMs: this.ended ? 0 : pace > 0 ? Math.round((left / pace) * 1000) : undefined,
      elapsedMs,
    };
    return { ...base, ...this.progressExtra() } as P;
  }

  private async crawl(): Promise<CrawlResult<N, P>> {
    this.startedAt = Date.now();
    this.subscription = this.executor.batches$.subscribe((batch) => {
      for (const e of batch) this.onEvent(e);
    });
    const ticker = setInterval(() => this.progressSubject.next(this.progress()), this.options.progressIntervalMs);
    const deadline = this.options.durationMs !== undefined ? setTimeout(() => this.end('duration'), this.options.durationMs) : undefined;
    try {
      await this.start();
      this.pump();
      await this.finished;
      await Promise.all([this.stopFinding(), this.hangUpAll()]);
    } finally {
      this.over.next();
      this.over.complete();
      clearInterval(ticker);
      clearTimeout(deadline);
      this.subscription.unsubscribe();
      if (this.ownsExecutor) await this.executor.close();
    }
    const progress = this.progress();
    this.progressSubject.next(progress);
    this.progressSubject.complete();
    return { startedAt: this.startedAt, endedAt: Date.now(), ended: this.ended!, progress, nodes: [...this.known.values()], warnings: this.warnings };
  }

  /**
   * Records a node under `key` once (false when the key is known, or a cap dropped it). It is queued for
   * a dial unless `skip` names why not (the caller asked the filter: not-allowed, non-routable, …): then
   * it is recorded as skipped, with that reason.
   */
  protected admit(key: string, node: N, skip?: string): boolean {
    if (this.known.has(key)) return false;
    if (this.known.size >= this.options.maxKnown) {
      this.counts.dropped++;
      return false;
    }
    if (skip) {
      node.status = 'skipped';
      node.reason = skip;
      this.counts.skipped++;
    } else if (this.queue.length - this.queueHead >= this.options.maxQueue) {
      this.counts.dropped++;
      return false;
    } else {
      this.queue.push(node);
    }
    this.known.set(key, node);
    return true;
  }

  /** Starts dials up to the concurrency; ends the crawl when nothing is left. */
  protected pump(): void {
    if (this.ended) return;
    const { concurrency, maxNodes } = this.options;
    while (this.dials.size < concurrency && this.queueHead < this.queue.length) {
      if (maxNodes !== undefined && this.counts.tried >= maxNodes) break;
      this.dial(this.queue[this.queueHead++]);
    }
    // Drop the consumed head now and then: the queue stays bounded by what waits, not what was seen.
    if (this.queueHead > 4096 && this.queueHead * 2 > this.queue.length) {
      this.queue.splice(0, this.queueHead);
      this.queueHead = 0;
    }
    if (this.dials.size === 0) {
      const limited = maxNodes !== undefined && this.counts.tried >= maxNodes;
      if (limited) this.end('max-nodes');
      else if (this.queueHead >= this.queue.length && !this.moreToCome()) this.end('done');
    }
  }

  private dial(node: N): void {
    const id = `c${++this.seq}`;
    node.status = 'dialling';
    this.counts.tried++;
    this.dials.set(id, { node, startedAt: Date.now() });
    const { protocol, config, timeouts } = this.options;
    this.executor.spawn({
      id, ...this.dialTarget(node), protocol, config,
      timeouts: { connectMs: 5_000, handshakeMs: 5_000, stallMs: 5_000, ...timeouts },
    });
  }

  protected hangUp(id: string, dial: Dial<N>): void {
    if (dial.stopping) return;
    dial.stopping = true;
    clearTimeout(dial.timer);
    this.executor.peer(id)?.stop();
  }

  private onEvent(e: PeerEvent): void {
    const dial = this.dials.get(e.peer);
    if (!dial) return;
    const { node } = dial;
    if (e.type !== 'state') return this.onDialEvent(e, dial);
    if (e.state === 'handshaking') {
      dial.connectedAt = e.at;
      node.connectMs = e.at - dial.startedAt;
    } else if (e.state === 'ready') {
      node.status = 'reachable';
      node.connectedAt = e.at;
      node.handshakeMs = e.at - (dial.connectedAt ?? dial.startedAt);
      this.counts.reachable++;
      if (this.ended) this.hangUp(e.peer, dial);
      else this.onReady(e.peer, dial);
    } else if (e.state === 'failed' || e.state === 'closed') {
      clearTimeout(dial.timer);
      this.dials.delete(e.peer);
      if (node.status === 'reachable') {
        if (e.reason !== 'stopped') {
          node.reason = e.reason;
          if (e.detail) node.detail = e.detail;
        }
      } else {
        node.status = 'unreachable';
        node.reason = e.reason ?? 'closed-by-peer';
        if (e.detail) node.detail = e.detail;
        this.counts.failed++;
      }
      if (this.ended) {
        if (this.dials.size === 0) this.drained?.();
      } else {
        this.pump();
      }
    }
  }

  protected end(why: CrawlEnd): void {
    if (this.ended) return;
    this.ended = why;
    this.finish();
  }

  /** Hangs up every open dial and waits for their final events (what they found so far is kept). */
  private async hangUpAll(): Promise<void> {
    if (this.dials.size === 0) return;
    const drained = new Promise<void>((resolve) => (this.drained = resolve));
    for (const [id, dial] of this.dials) this.hangUp(id, dial);
    await drained;
  }
}
