import { csvField } from '@peerscope/engine';
import type { PeerRow } from './rows.js';
import type { SummaryPeer } from './summary.js';

/**
 * `--csv`: one header line, then each interval one `peer` row per address, and at the end one `summary`
 * row per address of the run. RFC 4180 quoting; what a peer sent stays data (csvField: quoted, never run as a formula).
 */
export const CSV_COLUMNS = [
  'record', 'at', 'address', 'state', 'reason', 'detail', 'attempts', 'ever_ready', 'user_agent', 'version', 'services',
  'best_height', 'ping_ms', 'messages_in', 'bytes_in', 'messages_out', 'bytes_out', 'last_message_at',
] as const;


export const csvHeader = (): string => `${CSV_COLUMNS.join(',')}\r\n`;

export function csvPeerRow(r: PeerRow, at: number): string {
  return [
    'peer', at, r.address, r.state, r.reason, r.detail, r.attempts, r.state === 'ready' || null, r.userAgent, r.version,
    r.services?.join(' '), r.bestHeight, r.pingMs, r.messagesIn, r.bytesIn, r.messagesOut, r.bytesOut, r.lastMessageAt,
  ].map(csvField).join(',') + '\r\n';
}

export function csvSummaryRow(p: SummaryPeer, at: number): string {
  return [
    'summary', at, p.address, p.state, p.reason, p.detail, p.attempts, p.everReady, p.userAgent, p.version, p.services?.join(' '),
    p.bestHeight, p.pingMs, p.messagesIn, p.bytesIn, p.messagesOut, p.bytesOut, p.lastMessageAt,
  ].map(csvField).join(',') + '\r\n';
}
