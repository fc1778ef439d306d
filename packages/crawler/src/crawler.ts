import dns from 'node:dns';
import net from 'node:net';
import { connect, interval, last, merge, ReplaySubject, scan, takeUntil, type Observable, type Subscription } from 'rxjs';
import {
  AddressFilter, buildSnapshot, formatAddress, InProcessExecutor, isLoopback, parsePeerAddress, PoolExecutor, reduceStats, sampleOn,
  type Executor, type NetworkSnapshot, type PeerEvent, type PeerTimeouts, type ProtocolChoice, type StatsState,
} from '@peerscope/engine';
import type { CrawlNode, NodeSource } from './crawl-node.js';
import { networkType } from './network-type.js';

export interface CrawlOptions extends ProtocolChoice {
  /** `host:port` seeds (hostnames are resolved); the protocol's DNS seeds when none are given. */
  seeds?: string[];
  /** Worker threads for the connections (0: this thread). Default 1. Ignored when `executor` is given. */
  threads?: number;
  /** Run on this executor (left open at the end) instead of one built from `threads`. */
  executor?: Executor;
  /** Connections at once. Default 64. */
  concurrency?: number;
  /** Stop dialling after this many addresses were tried. */
  maxNodes?: number;
  /** Stop after this long (ms), keeping what was crawled. */
  durationMs?: number;
  /** How long a ready node gets to answer getaddr before we hang up (ms). Default 3,000. */
  addrWaitMs?: number;
  allow?: string[];
  deny?: string[];
  /** Connect, handshake and stall timeouts of every dial. Default 5 s each. */
  timeouts?: Partial<PeerTimeouts>;
  /** Addresses waiting to be dialled, at most; past it new ones are counted as dropped. Default 100,000. */
  maxQueue?: number;
  /** Addresses recorded at most (dialled or not); past it new ones are counted as dropped. Default 500,000. */
  maxKnown?: number;
  /** Keep every address each node returned (memory: one reference per address). Default false. */
  keepAddresses?: boolean;
  /** How often progress$ emits (ms). Default 250. */
  progressIntervalMs?: number;
  /** How often stats$ emits a snapshot (ms). Default 1,000. */
  statsIntervalMs?: number;
  /** Resolves a hostname (seeds, DNS seeds). Default: dns.promises.lookup, all addresses. */
  resolve?: (hostname: string) => Promise<string[]>;
}

export interface CrawlProgress {
  /** Addresses recorded (dialable or not). */
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
  /** Addresses not recorded or not queued because a cap was reached. */
  dropped: number;
  /** Full handshakes per second since the start. */
  handshakesPerSecond: number;
  /** Time left at the current pace, ms (undefined before the first dial ends; 0 once ended). */
  etaMs: number | undefined;
  elapsedMs: number;
}

/** Why the crawl ended: nothing left to dial, a limit, or stop() (Ctrl-C). */
export type CrawlEnd = 'done' | 'max-nodes' | 'duration' | 'stopped';

export interface CrawlResult {
  startedAt: number;
  endedAt: number;
  ended: CrawlEnd;
  progress: CrawlProgress;
  /** Every address recorded, in the order found. */
  nodes: CrawlNode[];
  /** Problems that were not a node's (a seed that does not resolve). */
  warnings: string[];
}

interface Dial {
  node: CrawlNode;
  startedAt: number;
  connectedAt?: number;
  timer?: NodeJS.Timeout;
  stopping?: boolean;
}

const defaultResolve = async (hostname: string) => (await dns.promises.lookup(hostname, { all: true })).map((a) => a.address);

/**
 * A crawl: every address is dialled once, on the engine's peer machines. A dial ends when the node
 * answered getaddr (more than one address: a lone one is the node announcing itself), after
 * `addrWaitMs`, or when it fails; its final state event says why. New addresses go to a bounded FIFO
 * queue, so the crawl goes breadth first from the seeds.
 */
export class Crawler {
  private readonly executor: Executor;
  private readonly ownsExecutor: boolean;
  private readonly filter: AddressFilter;
  private readonly known = new Map<string, CrawlNode>();
  private readonly queue: CrawlNode[] = [];
  private queueHead = 0;
  private readonly dials = new Map<string, Dial>();
  private readonly progressSubject = new ReplaySubject<CrawlProgress>(1);
  /** Progress every `progressIntervalMs`, a last one when the crawl ends, then complete. */
  readonly progress$: Observable<CrawlProgress> = this.progressSubject.asObservable();
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
  private counts = { tried: 0, reachable: 0, failed: 0, dropped: 0, skipped: 0 };
  private seq = 0;
  /** A seed outside loopback: the crawl is of a public network, where gossiped private and loopback addresses are not dialled. */
  private publicSeeds = false;
  private startedAt = 0;
  private subscription?: Subscription;
  private ended?: CrawlEnd;
  private finish!: () => void;
  private readonly finished = new Promise<void>((resolve) => (this.finish = resolve));
  private result?: Promise<CrawlResult>;
  private readonly options: Required<Pick<CrawlOptions, 'concurrency' | 'addrWaitMs' | 'maxQueue' | 'maxKnown' | 'progressIntervalMs'>> & CrawlOptions;

  constructor(options: CrawlOptions) {
    this.options = { concurrency: 64, addrWaitMs: 3_000, maxQueue: 100_000, maxKnown: 500_000, progressIntervalMs: 250, ...options };
    this.ownsExecutor = !options.executor;
    this.executor = options.executor ?? (options.threads === 0 ? new InProcessExecutor() : new PoolExecutor({ threads: options.threads ?? 1 }));
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

  /** Crawls until nothing is left to dial, a limit is reached, or stop(); resolves with what was found. */
  run(): Promise<CrawlResult> {
    this.result ??= this.crawl();
    return this.result;
  }

  /** Ends the crawl now (Ctrl-C): open dials are hung up; run() resolves with what was crawled so far. */
  stop(): void {
    this.end('stopped');
  }

  /** The progress of this moment. */
  progress(): CrawlProgress {
    const elapsedMs = this.startedAt ? Date.now() - this.startedAt : 0;
    const { tried, reachable, failed, dropped, skipped } = this.counts;
    const queued = this.queue.length - this.queueHead;
    const inFlight = this.dials.size;
    const endedDials = reachable + failed - inFlightReachable(this.dials);
    const seconds = elapsedMs / 1000;
    let left = queued + inFlight;
    if (this.options.maxNodes !== undefined) left = Math.min(left, Math.max(0, this.options.maxNodes - tried) + inFlight);
    const pace = seconds > 0 ? endedDials / seconds : 0;
    return {
      found: this.known.size, skipped, tried, reachable, failed, inFlight, queued, dropped,
      handshakesPerSecond: seconds > 0 ? Math.round((reachable / seconds) * 10) / 10 : 0,
      etaMs: this.ended ? 0 : pace > 0 ? Math.round((left / pace) * 1000) : undefined,
      elapsedMs,
    };
  }

  private async crawl(): Promise<CrawlResult> {
    this.startedAt = Date.now();
    this.subscription = this.executor.batches$.subscribe((batch) => {
      for (const e of batch) this.onEvent(e);
    });
    const ticker = setInterval(() => this.progressSubject.next(this.progress()), this.options.progressIntervalMs);
    const deadline = this.options.durationMs !== undefined ? setTimeout(() => this.end('duration'), this.options.durationMs) : undefined;
    try {
      await this.addSeeds();
      this.pump();
      await this.finished;
      await this.hangUpAll();
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

  private async addSeeds(): Promise<void> {
    const resolve = this.options.resolve ?? defaultResolve;
    const given = this.options.seeds ?? [];
    const list = given.length > 0
      ? given.map((s) => ({ ...parsePeerAddress(s, this.options.defaultPort), source: 'seed' as const }))
      : (this.options.dnsSeeds ?? []).map((host) => ({ host, port: this.options.defaultPort, source: 'dns' as const }));
    const resolved = await Promise.all(list.map(async ({ host, port, source }) => {
      if (net.isIP(host)) return [{ host, port, source }];
      try {
        return (await resolve(host)).map((h) => ({ host: h, port, source }));
      } catch (err) {
        this.warnings.push(`${host}: ${(err as Error).message}`);
        return [];
      }
    }));
    for (const { host, port, source } of resolved.flat()) {
      if (!isLoopback(host)) this.publicSeeds = true;
      this.record(host, port, source);
    }
  }

  /** Records an address once; queues it when it may be dialled. */
  private record(host: string, port: number, source: NodeSource): void {
    const address = formatAddress(host, port);
    if (this.known.has(address)) return;
    if (this.known.size >= this.options.maxKnown) {
      this.counts.dropped++;
      return;
    }
    const node: CrawlNode = { address, host, port, network: networkType(host), source, status: 'queued' };
    const verdict = node.network !== 'ipv4' && node.network !== 'ipv6' ? 'overlay'
      : source === 'learned' ? this.filter.verdictOnLearned(host, !this.publicSeeds)
      : this.filter.permits(host) ? 'dial' : 'not-allowed';
    if (verdict !== 'dial') {
      node.status = 'skipped';
      node.reason = verdict;
      this.counts.skipped++;
    } else if (this.queue.length - this.queueHead >= this.options.maxQueue) {
      this.counts.dropped++;
      return;
    } else {
      this.queue.push(node);
    }
    this.known.set(address, node);
  }

  private learn(texts: string[]): void {
    for (const text of texts) {
      // Most addresses are heard many times; they arrive in formatAddress's form, the map's key.
      if (this.known.has(text)) continue;
      let parsed;
      try {
        parsed = parsePeerAddress(text);
      } catch {
        // I2P addresses carry port 0 (BIP155): recorded by name, never dialled.
        const i2p = /^([a-z2-7]+\.b32\.i2p):0$/.exec(text);
        if (i2p) this.record(i2p[1], 0, 'learned');
        continue;
      }
      this.record(parsed.host, parsed.port, 'learned');
    }
  }

  /** Starts dials up to the concurrency; ends the crawl when nothing is left. */
  private pump(): void {
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
      else if (this.queueHead >= this.queue.length) this.end('done');
    }
  }

  private dial(node: CrawlNode): void {
    const id = `c${++this.seq}`;
    node.status = 'dialling';
    this.counts.tried++;
    this.dials.set(id, { node, startedAt: Date.now() });
    const { protocol, config, timeouts } = this.options;
    this.executor.spawn({
      id, host: node.host, port: node.port, protocol, config,
      timeouts: { connectMs: 5_000, handshakeMs: 5_000, stallMs: 5_000, ...timeouts },
    });
  }

  private hangUp(id: string, dial: Dial): void {
    if (dial.stopping) return;
    dial.stopping = true;
    clearTimeout(dial.timer);
    this.executor.peer(id)?.stop();
  }

  private onEvent(e: PeerEvent): void {
    const dial = this.dials.get(e.peer);
    if (!dial) return;
    const { node } = dial;
    switch (e.type) {
      case 'state':
        if (e.state === 'handshaking') {
          dial.connectedAt = e.at;
          node.connectMs = e.at - dial.startedAt;
        } else if (e.state === 'ready') {
          node.status = 'reachable';
          node.connectedAt = e.at;
          node.handshakeMs = e.at - (dial.connectedAt ?? dial.startedAt);
          this.counts.reachable++;
          if (this.ended) this.hangUp(e.peer, dial);
          else dial.timer = setTimeout(() => this.hangUp(e.peer, dial), this.options.addrWaitMs);
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
        return;
      case 'handshake':
        node.info = e.info;
        return;
      case 'addresses':
        node.addressesReturned = (node.addressesReturned ?? 0) + e.addresses.length;
        if (this.options.keepAddresses) (node.addresses ??= []).push(...e.addresses);
        this.learn(e.addresses);
        // A lone address is a node announcing itself; the getaddr answer is the bigger one.
        if (e.addresses.length > 1 && node.status === 'reachable') this.hangUp(e.peer, dial);
        this.pump();
        return;
      default:
        return;
    }
  }

  private drained?: () => void;

  private end(why: CrawlEnd): void {
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

function inFlightReachable(dials: Map<string, Dial>): number {
  let n = 0;
  for (const d of dials.values()) if (d.node.status === 'reachable') n++;
  return n;
}

export function crawl(options: CrawlOptions): Crawler {
  return new Crawler(options);
}
