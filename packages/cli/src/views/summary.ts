import { consensusHeight, type AddressOutcome, type NetworkSnapshot, type RunSummary } from '@peerscope/engine';
import { shortServices } from './columns.js';
import { bytes, clock, columns, ms, time } from './format.js';
import { escapeControls } from './sanitize.js';

/** One address in the final summary: how the run went with it (see AddressOutcome). */
export type SummaryPeer = AddressOutcome;

/** The final summary: the whole run (RunSummary) with the session's address counts and handshakes. */
export interface SummaryRecord extends RunSummary {
  target: number;
  handshakes: NetworkSnapshot['handshakes'];
  addresses: NetworkSnapshot['addresses'];
  /** The most common best height among the peers ready at the end, and how many were on it. */
  consensus: NetworkSnapshot['consensus'];
  /** User agents of the peers that were ever ready, by address. */
  userAgents: Record<string, number>;
}

/** Pure: the run ledger's summary with what only the final snapshot knows (target, handshakes, addresses). */
export function summaryRecord(run: RunSummary, final: NetworkSnapshot): SummaryRecord {
  const userAgents: Record<string, number> = Object.create(null) as Record<string, number>;
  const heights: number[] = [];
  for (const p of run.peers) {
    if (!p.everReady) continue;
    const ua = p.userAgent ?? '(none)';
    userAgents[ua] = (userAgents[ua] ?? 0) + 1;
    const readyAtEnd = p.state === 'ready' || (p.state === 'closed' && p.reason === 'stopped');
    if (readyAtEnd && p.bestHeight !== null) heights.push(p.bestHeight);
  }
  return {
    ...run, target: final.target, handshakes: final.handshakes, addresses: final.addresses,
    consensus: consensusHeight(heights), userAgents: { ...userAgents },
  };
}

/** Rows of the text summary at most; the JSON and CSV summaries list every address. */
export const SUMMARY_TEXT_ROWS = 200;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const byCount = (r: Record<string, number>) => Object.entries(r).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${escapeControls(k)} ×${n}`).join(', ');

/** Pure: the final summary as text: the run in a few lines, then one row per address. */
export function summaryText(s: SummaryRecord, title: string, width = Infinity): string {
  const lines = [
    `final summary · ${title} · ran ${clock(s.durationMs)} (${time(s.startedAt)}–${time(s.at)} UTC)`,
    `peers ${s.peersSeen} seen, ${plural(s.attempts, 'connection')} · ${s.outcome.everReady} ever ready · ready: peak ${s.peakReady}, at the end ${s.finalReady} of ${s.target} · ${s.outcome.failed} failed`,
    `traffic in ${plural(s.totals.messagesIn, 'msg')} ${bytes(s.totals.bytesIn)} (avg ${s.rates.messagesIn} msg/s ${bytes(s.rates.bytesIn)}/s) · out ${plural(s.totals.messagesOut, 'msg')} ${bytes(s.totals.bytesOut)} (avg ${s.rates.messagesOut} msg/s ${bytes(s.rates.bytesOut)}/s)`,
    `handshakes ${s.handshakes.succeeded} ok, ${s.handshakes.failed} failed · addresses ${s.addresses.known} known, ${s.addresses.tried} tried`,
    `height ${s.consensus ? `${s.consensus.height} (${s.consensus.peers} peers)` : '-'} · agents ${byCount(s.userAgents) || '-'}`,
  ];
  if (Object.keys(s.failures).length > 0) lines.push(`failed peers by reason ${byCount(s.failures)} (connections: ${byCount(s.failedAttempts)})`);
  // Failed first (what the user wants to see), then by first attempt.
  const order = { failed: 0, ready: 1, handshaking: 1, connecting: 1, closed: 2 } as const;
  const peers = [...s.peers].sort((a, b) => order[a.state] - order[b.state] || a.firstAt - b.firstAt);
  // ENDED last: a long failure detail runs to the end of the line instead of widening the table.
  const header = ['ADDRESS', 'TRIES', 'READY', 'AGENT', 'SERV', 'BEST', 'PING ms', 'IN msgs/bytes', 'OUT msgs/bytes', 'ENDED'];
  const rows = peers.slice(0, SUMMARY_TEXT_ROWS).map((p) => [
    escapeControls(p.address),
    String(p.attempts),
    p.everReady ? 'yes' : 'no',
    p.userAgent === null ? '-' : escapeControls(p.userAgent),
    shortServices(p.services),
    p.bestHeight === null ? '-' : String(p.bestHeight),
    p.pingMs === null ? '-' : ms(p.pingMs),
    `${p.messagesIn} / ${bytes(p.bytesIn)}`,
    `${p.messagesOut} / ${bytes(p.bytesOut)}`,
    p.state === 'failed' ? `failed: ${p.reason ?? '?'}${p.detail ? ` (${escapeControls(p.detail)})` : ''}` : p.state === 'closed' ? 'closed' : p.state,
  ]);
  const more = s.peers.length > SUMMARY_TEXT_ROWS || s.untrackedPeers > 0
    ? `\n… ${s.peersSeen - Math.min(SUMMARY_TEXT_ROWS, s.peers.length)} more addresses (--json or --csv lists ${s.untrackedPeers > 0 ? `${s.peers.length}` : 'every one'})`
    : '';
  // On a terminal the table fits its width: traffic, services, ping and height give way (the JSON and
  // CSV keep everything); what still does not fit is cut at the line's end.
  const maxWidths = [46, 5, 5, 30, 6, 8, 8, 16, 16, 200];
  let keep = header.map((_, i) => i);
  const render = () => columns([header, ...rows].map((r) => keep.map((i) => r[i])), keep.map((i) => maxWidths[i]));
  let table = render();
  for (const drop of [8, 7, 4, 6, 5]) {
    const widest = Math.max(...table.split('\n').map((l) => l.length - (l.length > 0 ? 0 : 0)));
    if (widest <= width) break;
    keep = keep.filter((i) => i !== drop);
    table = render();
  }
  const fit = (l: string) => (l.length > width ? `${l.slice(0, width - 1)}…` : l);
  return `${lines.map(fit).join('\n')}\n\n${table.split('\n').map(fit).join('\n')}${more}`;
}
