import { formatEnode, nodeIdHash } from '@peerscope/ethereum';
import type { EthereumCrawlNode, EthereumCrawlResult } from './ethereum-crawler.js';
import { csvTable } from './snapshot.js';
import { count, summarizeDials, type DialSummary } from './summary.js';

export interface EthereumCrawlSummary extends DialSummary {
  /** Nodes asked findnode, and those that answered our discovery ping. */
  queried: number;
  answered: number;
  /** What discovery made of each node: answered, silent, id-mismatch, not-asked. */
  byDiscovery: Record<string, number>;
  /**
   * The breakdowns below count every node whose Hello we read: reachable ones, and those that failed
   * after it (another chain, no shared eth version). Client name: the client id up to its first '/'.
   */
  byClient: Record<string, number>;
  byClientId: Record<string, number>;
  /** Capabilities as offered, sorted, joined by ' ' ("eth/67 eth/68 snap/1"). */
  byCapabilities: Record<string, number>;
  byNetworkId: Record<string, number>;
  /** EIP-2124 fork id as `0xhash/next`. */
  byForkId: Record<string, number>;
  /** Nodes that hung up before Status (closed-by-peer), by the reason their Disconnect gave (too-many-peers, useless-peer, …). */
  byDisconnectReason: Record<string, number>;
}

const detail = (n: EthereumCrawlNode, key: string) => n.info?.details?.[key] ?? null;
const caps = (n: EthereumCrawlNode) => {
  const c = detail(n, 'capabilities');
  return Array.isArray(c) ? [...c].sort() : [];
};

export function summarizeEthereum(result: EthereumCrawlResult): EthereumCrawlSummary {
  return summarizeDials<EthereumCrawlNode, EthereumCrawlSummary>(result, {
    queried: result.progress.queried, answered: result.progress.answered,
    byDiscovery: {}, byClient: {}, byClientId: {}, byCapabilities: {}, byNetworkId: {}, byForkId: {}, byDisconnectReason: {},
  }, ['byDiscovery', 'byClient', 'byClientId', 'byCapabilities', 'byNetworkId', 'byForkId', 'byDisconnectReason'], (s, n) => {
    count(s.byDiscovery, n.discovery);
    if (n.status === 'unreachable' && n.reason === 'closed-by-peer') count(s.byDisconnectReason, n.detail ?? '(none)');
    if (!n.info) return;
    const client = n.info.userAgent ?? '';
    count(s.byClient, client.split('/')[0] || '(none)');
    count(s.byClientId, client || '(none)');
    count(s.byCapabilities, caps(n).join(' ') || 'none');
    const networkId = detail(n, 'networkId');
    if (networkId !== null) count(s.byNetworkId, String(networkId));
    const forkId = detail(n, 'forkId');
    if (forkId !== null) count(s.byForkId, String(forkId));
  });
}

/**
 * One entry of go-ethereum's nodes.json (`devp2p discv4 crawl`, cmd/devp2p/nodeset.go): seq and record
 * (an ENR; we ask for none, so null and 0), score (1 when the node answered discovery), the times of its
 * first and last answer and of our last try (RFC 3339, null when none). The rest is ours: what Hello and
 * Status said, and how the dial ended.
 */
export interface NodesJsonEntry {
  seq: number;
  record: string | null;
  score: number;
  firstResponse: string | null;
  lastResponse: string | null;
  lastCheck: string | null;
  enode: string;
  ip: string;
  tcpPort: number;
  udpPort: number;
  source: EthereumCrawlNode['source'];
  discovery: EthereumCrawlNode['discovery'];
  status: EthereumCrawlNode['status'];
  clientId: string | null;
  capabilities: string[] | null;
  p2pVersion: number | null;
  ethVersion: number | null;
  networkId: number | null;
  genesis: string | null;
  forkId: string | null;
  head: string | null;
  td: string | null;
  handshakeMs: number | null;
  reason: string | null;
  detail: string | null;
}

const time = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());
const num = (v: unknown) => (typeof v === 'number' ? v : null);
const str = (v: unknown) => (typeof v === 'string' ? v : v === null || v === undefined ? null : String(v));

function entry(n: EthereumCrawlNode): NodesJsonEntry {
  const capabilities = detail(n, 'capabilities');
  return {
    seq: 0, record: null, score: n.discovery === 'answered' ? 1 : 0,
    firstResponse: time(n.firstResponse), lastResponse: time(n.lastResponse), lastCheck: time(n.lastCheck),
    enode: formatEnode({ id: n.id, host: n.host, port: n.port, udpPort: n.udpPort }), ip: n.host, tcpPort: n.port, udpPort: n.udpPort,
    source: n.source, discovery: n.discovery, status: n.status,
    clientId: n.info?.userAgent ?? null, capabilities: Array.isArray(capabilities) ? capabilities : null, p2pVersion: num(detail(n, 'p2pVersion')),
    ethVersion: n.info?.version ?? null, networkId: num(detail(n, 'networkId')), genesis: str(detail(n, 'genesis')), forkId: str(detail(n, 'forkId')),
    head: str(detail(n, 'bestHash')), td: str(detail(n, 'td')), handshakeMs: n.handshakeMs ?? null, reason: n.reason ?? null, detail: n.detail ?? null,
  };
}

/** Every node recorded, keyed by its node ID as go-ethereum spells it (keccak256 of the public key, hex), in that key's order. */
export function nodesJson(result: EthereumCrawlResult): Record<string, NodesJsonEntry> {
  const keyed = result.nodes.map((n) => [nodeIdHash(n.id), entry(n)] as const);
  keyed.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return Object.fromEntries(keyed);
}

export const ETHEREUM_CSV_COLUMNS = [
  'node_id', 'id', 'ip', 'tcp_port', 'udp_port', 'source', 'discovery', 'status', 'client_id', 'capabilities', 'p2p_version', 'eth_version',
  'network_id', 'genesis', 'fork_id', 'head', 'td', 'connect_ms', 'handshake_ms', 'neighbours_returned', 'first_response', 'last_response',
  'last_check', 'reason', 'detail',
] as const;

/** One row per node recorded (the nodes.json entries, flat), header first, CRLF line ends. */
export function ethereumCsv(result: EthereumCrawlResult): string {
  return csvTable(ETHEREUM_CSV_COLUMNS, result.nodes.map((n) => {
    const e = entry(n);
    return [
      nodeIdHash(n.id), n.id, e.ip, e.tcpPort, e.udpPort, e.source, e.discovery, e.status, e.clientId, e.capabilities?.join(' '), e.p2pVersion,
      e.ethVersion, e.networkId, e.genesis, e.forkId, e.head, e.td, n.connectMs, e.handshakeMs, n.neighboursReturned, e.firstResponse,
      e.lastResponse, e.lastCheck, e.reason, e.detail,
    ];
  }));
}
