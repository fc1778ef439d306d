import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { formatAddress, isLoopback, type PeerEvent } from '@peerscope/engine';
import {
  DEFAULT_RLPX_PORT, Discv4, ethConfig, HANDSHAKE_SEEN, parseEnode, protocolModule, type ChainParams, type NeighbourNode,
} from '@peerscope/ethereum';
import { DialCrawl, type CrawlProgress, type CrawlResult, type Dial, type DialCrawlOptions, type DialNode } from './dial-crawl.js';
import { networkType, type NetworkType } from './network-type.js';

/** What discv4 made of a node: it answered our ping, it did not, its pong was signed by another key, or it was not asked. */
export type DiscoveryStatus = 'answered' | 'silent' | 'id-mismatch' | 'not-asked';

/** One node the Ethereum crawl knows of: how discovery met it, and what dialling it found. */
export interface EthereumCrawlNode extends DialNode {
  /** 64-byte public key, hex (the enode URL's id). */
  id: string;
  /** RLPx (TCP) port: `port`. Discovery (UDP) port: */
  udpPort: number;
  network: NetworkType;
  /** A --bootnode, or learned from a neighbours answer. */
  source: 'bootnode' | 'learned';
  discovery: DiscoveryStatus;
  /** When the node first and last answered a discovery ping (epoch ms). */
  firstResponse?: number;
  lastResponse?: number;
  /** When we last tried to reach it, by discovery or by a dial (epoch ms). */
  lastCheck?: number;
  /** Neighbours it returned over all our findnode questions (after the per-question cap). */
  neighboursReturned?: number;
}

export interface EthereumCrawlProgress extends CrawlProgress {
  /** Nodes asked findnode (bonded or not). */
  queried: number;
  /** Nodes that answered our discovery ping. */
  answered: number;
  /** Discovery is still walking (queries waiting or in flight). */
  discovering: boolean;
}

export type EthereumCrawlResult = CrawlResult<EthereumCrawlNode, EthereumCrawlProgress>;

export interface EthereumCrawlOptions extends Omit<DialCrawlOptions, 'protocol' | 'config' | 'defaultPort' | 'dnsSeeds'> {
  /** enode URLs to start discovery from (and to dial). */
  bootnodes: string[];
  /** The chain our Status announces; nodes of another answer with the typed reason 'wrong-network'. Default mainnet. */
  network?: string | ChainParams;
  /** Our node key (hex); random by default. */
  privateKey?: string;
  /** Address the discovery socket binds to: default 127.0.0.1 when every bootnode is a loopback address, else 0.0.0.0 (:: for IPv6 bootnodes). */
  discoveryHost?: string;
  /** Nodes asked findnode at once. Default 16. */
  queryConcurrency?: number;
  /** findnode questions per node: its own id (its neighbourhood), then random targets. Default 3. */
  queriesPerNode?: number;
  /** Neighbours kept per findnode question; a flood past it is counted as dropped. Default 16 (a k-bucket). */
  neighboursPerQuery?: number;
  /** Wait for a pong or a neighbours answer, ms. Default 1,000. */
  discoveryTimeoutMs?: number;
}

/**
 * An Ethereum crawl: a discv4 walk from the bootnodes (every node newly found is bonded with and asked
 * findnode for its own neighbourhood and a few random targets, as go-ethereum's crawler does, until no new
 * node appears), and each node found dialled once over the engine (RLPx, Hello, Status): reachable only
 * after Status; the others with the engine's or the protocol's typed reason. Every queue and table is
 * capped; a node that floods neighbours gives at most `neighboursPerQuery` per question.
 */
export class EthereumCrawler extends DialCrawl<EthereumCrawlNode, EthereumCrawlProgress> {
  private readonly eth: EthereumCrawlOptions;
  private discovery?: Discv4;
  private readonly queryQueue: EthereumCrawlNode[] = [];
  private queryHead = 0;
  private queriesInFlight = 0;
  private queried = 0;
  private answered = 0;
  private readonly chain: ChainParams;

  constructor(options: EthereumCrawlOptions) {
    const config = ethConfig({ network: options.network, privateKey: options.privateKey });
    super({ ...options, protocol: protocolModule, config, defaultPort: DEFAULT_RLPX_PORT, dnsSeeds: [] });
    this.eth = options;
    this.chain = config.chain;
  }

  /** The chain the crawl's Status announces. */
  get network(): ChainParams {
    return this.chain;
  }

  protected async start(): Promise<void> {
    const bootnodes = this.eth.bootnodes.map((b) => parseEnode(b));
    // Every bootnode on loopback: discovery listens there too, as the rest of such a network does.
    const local = bootnodes.length > 0 && bootnodes.every((b) => isLoopback(b.host));
    const host = this.eth.discoveryHost ?? (local ? '127.0.0.1' : bootnodes.some((b) => net.isIPv6(b.host)) ? '::' : '0.0.0.0');
    this.discovery = await Discv4.bind({
      privateKey: (this.options.config as { privateKey: string }).privateKey, host, timeoutMs: this.eth.discoveryTimeoutMs ?? 1_000,
    });
    for (const b of bootnodes) this.filter.seed(b.host);
    for (const b of bootnodes) this.found({ id: b.id, ip: b.host, tcpPort: b.port, udpPort: b.udpPort }, 'bootnode');
    this.walk();
  }

  protected onReady(id: string, dial: Dial<EthereumCrawlNode>): void {
    // Hello and Status are all a crawl asks of a node.
    this.hangUp(id, dial);
  }

  protected onDialEvent(e: PeerEvent, dial: Dial<EthereumCrawlNode>): void {
    if (e.type === 'handshake') dial.node.info = e.info;
    // A handshake that failed after the peer's Hello (another chain, no shared eth version) says what it saw.
    else if (e.type === 'app' && e.name === HANDSHAKE_SEEN && !dial.node.info) dial.node.info = e.data as EthereumCrawlNode['info'];
  }

  protected dialTarget(node: EthereumCrawlNode): { host: string; port: number; key: string } {
    node.lastCheck = Date.now();
    return { host: node.host, port: node.port, key: node.id };
  }

  protected moreToCome(): boolean {
    return !this.ended && (this.queriesInFlight > 0 || this.queryHead < this.queryQueue.length);
  }

  protected async stopFinding(): Promise<void> {
    this.discovery?.close();
  }

  protected progressExtra(): Omit<EthereumCrawlProgress, keyof CrawlProgress> {
    return { queried: this.queried, answered: this.answered, discovering: this.moreToCome() };
  }

  /** Records a node heard of once (by id); queues its dial (when it has a TCP port) and its discovery questions. */
  private found(n: NeighbourNode, source: EthereumCrawlNode['source']): void {
    if (this.known.has(n.id) || n.id === this.discovery?.id) return;
    const node: EthereumCrawlNode = {
      id: n.id, address: formatAddress(n.ip, n.tcpPort), host: n.ip, port: n.tcpPort, udpPort: n.udpPort,
      network: networkType(n.ip), source, status: 'queued', discovery: 'not-asked',
    };
    const verdict = this.filter.verdict(n.ip, source === 'learned' ? 'learned' : 'given');
    const skip = verdict !== 'dial' ? verdict : n.tcpPort === 0 ? 'no-tcp-port' : undefined;
    if (!this.admit(n.id, node, skip)) return;
    // Not allowed, or no public node's address: recorded, never sent a packet.
    if (verdict === 'dial' && n.udpPort > 0 && this.queryQueue.length - this.queryHead < this.options.maxQueue) this.queryQueue.push(node);
  }

  /** Asks queued nodes, up to the query concurrency; when discovery has run dry, lets the dials end the crawl. */
  private walk(): void {
    const concurrency = this.eth.queryConcurrency ?? 16;
    while (!this.ended && this.queriesInFlight < concurrency && this.queryHead < this.queryQueue.length) {
      const node = this.queryQueue[this.queryHead++];
      this.queriesInFlight++;
      this.queried++;
      // A send that throws (an address the system refuses) leaves the node silent, nothing more.
      void this.ask(node).catch(() => {}).finally(() => {
        this.queriesInFlight--;
        this.walk();
      });
    }
    if (this.queryHead > 4096 && this.queryHead * 2 > this.queryQueue.length) {
      this.queryQueue.splice(0, this.queryHead);
      this.queryHead = 0;
    }
    if (!this.moreToCome()) this.pump();
  }

  private async ask(node: EthereumCrawlNode): Promise<void> {
    const discovery = this.discovery!;
    const budget = Math.max(1, this.eth.queriesPerNode ?? 3);
    // Its own id first: the nodes nearest it in the table (its neighbourhood), then random regions.
    const targets = [node.id, ...Array.from({ length: budget - 1 }, () => randomBytes(64).toString('hex'))];
    node.lastCheck = Date.now();
    const answer = await discovery.query(node.host, node.udpPort, targets, { limit: this.eth.neighboursPerQuery ?? 16, expectId: node.id });
    if (!answer.id) {
      if (node.discovery === 'not-asked') node.discovery = 'silent';
      return;
    }
    if (answer.id !== node.id) {
      // Another key answered at that address: it was not asked for neighbours (what it says is not the node's word).
      node.discovery = 'id-mismatch';
      return;
    }
    const at = Date.now();
    node.discovery = 'answered';
    node.firstResponse ??= at;
    node.lastResponse = at;
    this.answered++;
    node.neighboursReturned = (node.neighboursReturned ?? 0) + answer.nodes.length;
    this.counts.dropped += answer.dropped;
    for (const n of answer.nodes) {
      if (this.ended) break;
      this.found(n, 'learned');
    }
    this.pump();
  }
}

export function crawlEthereum(options: EthereumCrawlOptions): EthereumCrawler {
  return new EthereumCrawler(options);
}
