import type { NetworkSnapshot, PeerStats } from '@peerscope/engine';
import { bytes, clock, columns, ms, time } from './format.js';

export interface ViewContext {
  /** e.g. "bitcoin regtest" */
  title: string;
  intervalMs: number;
}

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
  if (p.state === 'failed') return `failed: ${p.reason ?? '?'}`;
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

/** One row per peer, active ones first, then the most recent failures. */
export function peerTable(s: NetworkSnapshot, maxRows = 40): string {
  const header = ['ADDRESS', 'STATE', 'AGENT', 'VER', 'SERVICES', 'START', 'BEST', 'PING ms (min)', 'IN msgs/bytes', 'OUT msgs/bytes', 'ADDRS', 'TOP IN'];
  const rows = s.peers.slice(0, maxRows).map((p) => [
    p.address,
    stateCell(p, s.at),
    p.userAgent ?? '-',
    p.version !== undefined ? String(p.version) : '-',
    p.services?.join(',') || '-',
    p.startHeight !== undefined ? String(p.startHeight) : '-',
    p.bestHeight !== undefined ? String(p.bestHeight) : '-',
    p.pingMs !== undefined ? `${ms(p.pingMs)} (${ms(p.minPingMs)})` : '-',
    `${p.messagesIn} / ${bytes(p.bytesIn)}`,
    `${p.messagesOut} / ${bytes(p.bytesOut)}`,
    String(p.addressesLearned),
    topCommands(p),
  ]);
  const more = s.peers.length > maxRows ? `\n… ${s.peers.length - maxRows} more` : '';
  return columns([header, ...rows], [46, 26, 26, 6, 24, 8, 8, 14, 16, 16, 6, 40]) + more;
}

/** The whole live view: summary on top, one row per peer. Pure: snapshot in, text out. */
export function renderTable(s: NetworkSnapshot, ctx: ViewContext): string {
  return `${networkSummary(s, ctx)}\n\n${peerTable(s)}\n`;
}
