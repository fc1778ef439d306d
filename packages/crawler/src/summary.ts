import type { CrawlResult } from './crawler.js';
import type { CrawlNode } from './crawl-node.js';
import type { CrawlProgress, CrawlResult as AnyCrawlResult, DialNode } from './dial-crawl.js';
import type { NetworkType } from './network-type.js';

/** What every crawl's summary says: counts, failures by reason, handshake latency. */
export interface DialSummary {
  found: number;
  tried: number;
  reachable: number;
  unreachable: number;
  /** Recorded, never dialled (outside --allow, inside --deny, Tor/I2P/names). */
  skipped: number;
  /** The skipped by why: not-allowed, non-routable, overlay. */
  skippedByReason: Record<string, number>;
  /** Recorded, not dialled before the crawl ended (--max-nodes, --duration, Ctrl-C). */
  untried: number;
  dropped: number;
  durationMs: number;
  handshakesPerSecond: number;
  unreachableByReason: Record<string, number>;
  /** Reachable nodes that then broke the protocol, by reason (hostile or buggy peers). */
  endedByReason: Record<string, number>;
  /** Every address recorded, by network (IPv4, IPv6, Tor, I2P, CJDNS). */
  addressesByNetwork: Partial<Record<NetworkType, number>>;
  /** Handshake latency of reachable nodes, ms. */
  handshakeMs: { p50: number | null; p90: number | null; max: number | null };
}

export interface CrawlSummary extends DialSummary {
  latestHeight: number | null;
  byUserAgent: Record<string, number>;
  byProtocolVersion: Record<string, number>;
  /** Service flag sets as the protocol names them, joined by '|' ("NETWORK|WITNESS"), or "none". */
  byServices: Record<string, number>;
  /** Reachable nodes by blocks behind latestHeight: "0", "1", "2-5", "6-100", ">100". */
  heights: Record<string, number>;
}

export const count = (into: Record<string, number>, key: string) => (into[key] = (into[key] ?? 0) + 1);
/** Largest first, then by name: the order a reader wants. */
export const sorted = (r: Record<string, number>) => Object.fromEntries(Object.entries(r).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])));

/**
 * The chain tip as the crawl saw it: the highest start height at least two nodes reported (one node
 * claiming a height alone may lie), or the only node's.
 */
export function latestHeight(nodes: readonly CrawlNode[]): number | null {
  const heights = new Map<number, number>();
  for (const n of nodes) {
    const h = n.status === 'reachable' ? n.info?.startHeight : undefined;
    if (h !== undefined) heights.set(h, (heights.get(h) ?? 0) + 1);
  }
  if (heights.size === 0) return null;
  const agreed = [...heights].filter(([, c]) => c >= 2).map(([h]) => h);
  return agreed.length > 0 ? Math.max(...agreed) : Math.max(...heights.keys());
}

function bucket(behind: number): string {
  if (behind <= 0) return '0';
  if (behind === 1) return '1';
  if (behind <= 5) return '2-5';
  if (behind <= 100) return '6-100';
  return '>100';
}

function percentile(sortedValues: number[], p: number): number | null {
  if (sortedValues.length === 0) return null;
  return sortedValues[Math.min(sortedValues.length - 1, Math.floor(p * sortedValues.length))];
}

/**
 * The summary every crawl shares, with `onNode` adding a protocol's breakdowns of each node (it checks
 * the status it counts); the breakdowns named in `sortKeys`, and the reasons, are sorted largest first.
 */
export function summarizeDials<N extends DialNode & { network: NetworkType }, S extends DialSummary>(
  result: AnyCrawlResult<N, CrawlProgress>, extra: Omit<S, keyof DialSummary>, sortKeys: Array<keyof S & string>, onNode: (s: S, n: N) => void,
): S {
  const s = {
    found: result.nodes.length, tried: result.progress.tried, reachable: 0, unreachable: 0, skipped: 0, untried: 0,
    dropped: result.progress.dropped, durationMs: result.endedAt - result.startedAt, handshakesPerSecond: result.progress.handshakesPerSecond,
    ...extra, unreachableByReason: {}, endedByReason: {}, skippedByReason: {}, addressesByNetwork: {}, handshakeMs: { p50: null, p90: null, max: null },
  } as unknown as S;
  const latencies: number[] = [];
  for (const n of result.nodes) {
    count(s.addressesByNetwork, n.network);
    onNode(s, n);
    switch (n.status) {
      case 'reachable':
        s.reachable++;
        if (n.reason) count(s.endedByReason, n.reason);
        if (n.handshakeMs !== undefined) latencies.push(n.handshakeMs);
        break;
      case 'unreachable':
        s.unreachable++;
        count(s.unreachableByReason, n.reason ?? 'unknown');
        break;
      case 'skipped':
        s.skipped++;
        count(s.skippedByReason, n.reason ?? 'unknown');
        break;
      default:
        s.untried++;
    }
  }
  latencies.sort((a, b) => a - b);
  s.handshakeMs = { p50: percentile(latencies, 0.5), p90: percentile(latencies, 0.9), max: latencies.at(-1) ?? null };
  const record = s as unknown as Record<string, Record<string, number>>;
  for (const k of [...sortKeys, 'unreachableByReason', 'endedByReason', 'skippedByReason']) record[k] = sorted(record[k]);
  return s;
}

export function summarize(result: CrawlResult): CrawlSummary {
  const tip = latestHeight(result.nodes);
  return summarizeDials<CrawlNode, CrawlSummary>(result, {
    latestHeight: tip, byUserAgent: {}, byProtocolVersion: {}, byServices: {}, heights: {},
  }, ['byUserAgent', 'byProtocolVersion', 'byServices'], (s, n) => {
    if (n.status !== 'reachable') return;
    count(s.byUserAgent, n.info?.userAgent ?? '(none)');
    count(s.byProtocolVersion, String(n.info?.version ?? '(none)'));
    count(s.byServices, n.info?.services?.length ? n.info.services.join('|') : 'none');
    if (tip !== null && n.info?.startHeight !== undefined) count(s.heights, bucket(tip - n.info.startHeight));
  });
}
