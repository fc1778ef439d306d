import { csvField } from '@peerscope/engine';
import type { CrawlResult } from './crawler.js';
import type { CrawlNode } from './crawl-node.js';
import { latestHeight } from './summary.js';

/**
 * One reachable node in bitnodes' order: protocol version, user agent, connected since (unix seconds),
 * services (integer), height, then what bitnodes adds from outside the protocol and we cannot know
 * here: hostname, city, country, latitude, longitude, timezone, ASN, organisation (null).
 */
export type BitnodesEntry = [number | null, string | null, number | null, number | null, number | null, null, null, null, null, null, null, null, null];

/**
 * The snapshot bitnodes publishes (GET /api/v1/snapshots/<timestamp>/): reachable nodes only, keyed
 * `address:port`. `unreachable_nodes` is ours: `address:port` → [reason, detail].
 */
export interface BitnodesSnapshot {
  timestamp: number;
  total_nodes: number;
  latest_height: number | null;
  nodes: Record<string, BitnodesEntry>;
  unreachable_nodes: Record<string, [string, string | null]>;
}

/** Services as the integer of the version message (the protocol reports it as hex in details.servicesHex). */
export function servicesNumber(node: CrawlNode): number | null {
  const hex = node.info?.details?.servicesHex;
  if (typeof hex !== 'string') return null;
  const n = Number(BigInt(hex));
  return Number.isSafeInteger(n) ? n : null;
}

export function bitnodesSnapshot(result: CrawlResult): BitnodesSnapshot {
  const nodes: Record<string, BitnodesEntry> = {};
  const unreachable: Record<string, [string, string | null]> = {};
  for (const n of result.nodes) {
    if (n.status === 'reachable') {
      nodes[n.address] = [
        n.info?.version ?? null, n.info?.userAgent ?? null, n.connectedAt !== undefined ? Math.floor(n.connectedAt / 1000) : null,
        servicesNumber(n), n.info?.startHeight ?? null, null, null, null, null, null, null, null, null,
      ];
    } else if (n.status === 'unreachable') {
      unreachable[n.address] = [n.reason ?? 'unknown', n.detail ?? null];
    }
  }
  return {
    timestamp: Math.floor(result.endedAt / 1000), total_nodes: Object.keys(nodes).length, latest_height: latestHeight(result.nodes),
    nodes, unreachable_nodes: unreachable,
  };
}

export const CRAWL_CSV_COLUMNS = [
  'address', 'network', 'source', 'status', 'protocol_version', 'user_agent', 'connected_since', 'services', 'service_names', 'height',
  'connect_ms', 'handshake_ms', 'addresses_returned', 'reason', 'detail',
] as const;

/** A CSV table: the header, then one line per row, every field formula-safe (csvField), CRLF line ends. */
export function csvTable(columns: readonly string[], rows: Iterable<unknown[]>): string {
  const lines = [columns.join(',')];
  for (const row of rows) lines.push(row.map(csvField).join(','));
  return lines.join('\r\n') + '\r\n';
}

/** One row per address recorded, header first, CRLF line ends. */
export function crawlCsv(result: CrawlResult): string {
  return csvTable(CRAWL_CSV_COLUMNS, result.nodes.map((n) => [
    n.address, n.network, n.source, n.status, n.info?.version, n.info?.userAgent,
    n.connectedAt !== undefined ? Math.floor(n.connectedAt / 1000) : null, servicesNumber(n), n.info?.services?.join(' '),
    n.info?.startHeight, n.connectMs, n.handshakeMs, n.addressesReturned, n.reason, n.detail,
  ]));
}
