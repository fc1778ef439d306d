import type { NetworkSnapshot, PeerStats } from '@peerscope/engine';
import { bytes, clock, columns, ms, time } from './format.js';

export interface ViewContext {
  /** e.g. "bitcoin regtest" */
  title: string;
  intervalMs: number;
  /** Protocol-specific columns, chosen by the command that knows the protocol. */
  extraColumns?: ExtraColumn[];
}

/** A peer-table column showing one key of `PeerStats.details` (arrays joined by ','). */
export interface ExtraColumn {
  header: string;
  detail: string;
}

/** A failure detail longer than this stays in the JSON; the table keeps its column narrow. */
const MAX_STATE_DETAIL = 24;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The network summary lines shown above the peer table (and as the final summary). */
export function networkSummary(s: NetworkSnapshot, ctx: ViewContext): string {
  const lines = [
    `peerscope · ${ctx.title} · ${time(s.at)} UTC · up ${clock(s.uptimeMs)} · every ${ctx.intervalMs / 1000}s`,
    `peers ${s.ready}/${s.target} ready · ${s.connecting} connecting · ${s.failed} failed · handshakes ${s.handshakes.succeeded} ok, ${s.handshakes.failed} failed · addresses ${s.addresses.known} known, ${s.addresses.tried} tried`,
    `traffic in ${s.rates.messagesIn} msg/s ${bytes(s.rates.bytesIn)}/s · out ${s.rates.messagesOut} msg/s ${bytes(s.rates.bytesOut)}/s · total in ${plural(s.totals.messagesIn, 'msg')} ${bytes(s.totals.bytesIn)}, out ${plural(s.totals.messagesOut, 'msg')} ${bytes(s.totals.bytesOut)}`,
    `height ${s.consensus ? `${s.consensus.height} (${s.consensus.peers} of ${Object.values(s.userAgents).reduce((a, b) => a + b, 0)} peers)` : '-'} · agents ${
      Object.entries(s.userAgents).sort((a, b) => b[1] - a[1]).map(([ua, n]) => `${ua} ×${n}`).join(', ') || '-'
    }`,
  ];
  const failures = Object.entries(s.failures).sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0));
  if (failures.length > 0) lines.push(`failures ${failures.map(([r, n]) => `${r} ×${n}`).join(', ')}`);
  return lines.join('\n');
}

function stateCell(p: PeerStats, now: number): string {
  if (p.state === 'failed') {
    const detail = p.detail && p.detail.length <= MAX_STATE_DETAIL ? ` (${p.detail})` : '';
    return `failed: ${p.reason ?? '?'}${detail}`;
  }
  if (p.state === 'closed') return 'closed';
  return `${p.state} ${clock(now - p.since)}`;
}

function topCommands(p: PeerStats): string {
  return Object.entries(p.byCommand)
    .filter(([, t]) => t.messagesIn > 0)
    .sort((a, b) => b[1].messagesIn - a[1].messagesIn)
    .slice(0, 3)
    .map(([c, t]) => `${c}:${t.messagesIn}`)
    .join(' ');
}

function detailCell(p: PeerStats, key: string): string {
  const v = p.details?.[key];
  if (v === undefined || v === null || v === '') return '-';
  return Array.isArray(v) ? v.join(',') || '-' : String(v);
}

/** One row per peer, active ones first, then the most recent failures; `extraColumns` go after BEST. */
export function peerTable(s: NetworkSnapshot, extraColumns: ExtraColumn[] = [], maxRows = 40): string {
  const header = ['ADDRESS', 'STATE', 'AGENT', 'VER', 'SERVICES', 'START', 'BEST', ...extraColumns.map((c) => c.header),
    'PING ms (min)', 'IN msgs/bytes', 'OUT msgs/bytes', 'ADDRS', 'TOP IN'];
  const rows = s.peers.slice(0, maxRows).map((p) => [
    p.address,
    stateCell(p, s.at),
    p.userAgent ?? '-',
    p.version !== undefined ? String(p.version) : '-',
    p.services?.join(',') || '-',
    p.startHeight !== undefined ? String(p.startHeight) : '-',
    p.bestHeight !== undefined ? String(p.bestHeight) : '-',
    ...extraColumns.map((c) => detailCell(p, c.detail)),
    p.pingMs !== undefined ? `${ms(p.pingMs)} (${ms(p.minPingMs)})` : '-',
    `${p.messagesIn} / ${bytes(p.bytesIn)}`,
    `${p.messagesOut} / ${bytes(p.bytesOut)}`,
    String(p.addressesLearned),
    topCommands(p),
  ]);
  const more = s.peers.length > maxRows ? `\n… ${s.peers.length - maxRows} more` : '';
  const widths = [46, 54, 26, 6, 24, 8, 8, ...extraColumns.map(() => 30), 14, 16, 16, 6, 40];
  return columns([header, ...rows], widths) + more;
}

/** The whole live view: summary on top, one row per peer. Pure: snapshot in, text out. */
export function renderTable(s: NetworkSnapshot, ctx: ViewContext): string {
  return `${networkSummary(s, ctx)}\n\n${peerTable(s, ctx.extraColumns)}\n`;
}
