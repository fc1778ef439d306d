import dns from 'node:dns';
import net from 'node:net';
import { formatAddress, parsePeerAddress, type PeerEvent } from '@peerscope/engine';
import type { CrawlNode, NodeSource } from './crawl-node.js';
import { DialCrawl, type CrawlProgress, type CrawlResult as DialCrawlResult, type Dial, type DialCrawlOptions } from './dial-crawl.js';
import { networkType } from './network-type.js';

export type { CrawlProgress, CrawlEnd } from './dial-crawl.js';

export interface CrawlOptions extends DialCrawlOptions {
  /** `host:port` seeds (hostnames are resolved); the protocol's DNS seeds when none are given. */
  seeds?: string[];
  /** How long a ready node gets to answer getaddr before we hang up (ms). Default 3,000. */
  addrWaitMs?: number;
  /** Keep every address each node returned (memory: one reference per address). Default false. */
  keepAddresses?: boolean;
  /** Resolves a hostname (seeds, DNS seeds). Default: dns.promises.lookup, all addresses. */
  resolve?: (hostname: string) => Promise<string[]>;
}

/** A Bitcoin crawl's result: every address recorded, in the order found. */
export type CrawlResult = DialCrawlResult<CrawlNode>;

/** Addresses a crawl worker remembers to report once: above a large crawl's distinct addresses. */
const CRAWL_ADDRESS_MEMORY = 1_000_000;

const defaultResolve = async (hostname: string) => (await dns.promises.lookup(hostname, { all: true })).map((a) => a.address);

/**
 * A crawl: every address is dialled once, on the engine's peer machines. A dial ends when the node
 * answered getaddr (more than one address: a lone one is the node announcing itself), after
 * `addrWaitMs`, or when it fails; its final state event says why. New addresses go to a bounded FIFO
 * queue, so the crawl goes breadth first from the seeds.
 */
export class Crawler extends DialCrawl<CrawlNode> {
  private readonly bitcoin: CrawlOptions & { addrWaitMs: number };

  constructor(options: CrawlOptions) {
    // Each address crosses to this thread once per worker, not once per node that gossips it (a node
    // answers with up to 1,000); keepAddresses wants every node's whole answer.
    super(options.keepAddresses ? options : { ...options, config: { ...(options.config as object), addressMemory: CRAWL_ADDRESS_MEMORY } });
    this.bitcoin = { addrWaitMs: 3_000, ...options };
  }

  protected start(): Promise<void> {
    return this.addSeeds();
  }

  protected onReady(id: string, dial: Dial<CrawlNode>): void {
    dial.timer = setTimeout(() => this.hangUp(id, dial), this.bitcoin.addrWaitMs);
  }

  protected onDialEvent(e: PeerEvent, dial: Dial<CrawlNode>): void {
    const { node } = dial;
    if (e.type === 'handshake') {
      node.info = e.info;
    } else if (e.type === 'addresses') {
      const count = e.count ?? e.addresses.length;
      node.addressesReturned = (node.addressesReturned ?? 0) + count;
      if (this.bitcoin.keepAddresses) (node.addresses ??= []).push(...e.addresses);
      this.learn(e.addresses);
      // A lone address is a node announcing itself; the getaddr answer is the bigger one.
      if (count > 1 && node.status === 'reachable') this.hangUp(e.peer, dial);
      this.pump();
    }
  }

  private async addSeeds(): Promise<void> {
    const resolve = this.bitcoin.resolve ?? defaultResolve;
    const given = this.bitcoin.seeds ?? [];
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
      this.filter.seed(host);
      this.record(host, port, source);
    }
  }

  /** Records an address once; queues it when it may be dialled. */
  private record(host: string, port: number, source: NodeSource): void {
    const address = formatAddress(host, port);
    const node: CrawlNode = { address, host, port, network: networkType(host), source, status: 'queued' };
    const verdict = node.network !== 'ipv4' && node.network !== 'ipv6' ? 'overlay' : this.filter.verdict(host, source === 'learned' ? 'learned' : 'given');
    this.admit(address, node, verdict === 'dial' ? undefined : verdict);
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
}

export function crawl(options: CrawlOptions): Crawler {
  return new Crawler(options);
}
