import type { CrawlProgress, CrawlSummary, DialSummary, EthereumCrawlSummary } from '@peerscope/crawler';
import { clock } from './format.js';
import { escapeControls } from './sanitize.js';

const BAR = 20;

/**
 * The progress line a terminal shows on stderr, redrawn in place:
 * `[#####-----] found 318 · tried 200 · reachable 190 · failed 10 · in flight 64 · 95/s · eta 0:03`.
 * The bar is dials ended over dialable addresses known (the share dealt with so far). Cut to `width`, never wrapped.
 */
export function crawlProgressLine(p: CrawlProgress, width: number): string {
  const dialable = p.found - p.skipped;
  const done = dialable > 0 ? Math.min(1, (p.tried - p.inFlight) / dialable) : 0;
  const filled = Math.round(done * BAR);
  const eta = p.etaMs === undefined ? 'eta -' : `eta ${clock(p.etaMs)}`;
  const text = `[${'#'.repeat(filled)}${'-'.repeat(BAR - filled)}] found ${p.found} · tried ${p.tried} · reachable ${p.reachable} · failed ${p.failed} · in flight ${p.inFlight} · ${Math.round(p.handshakesPerSecond)}/s · ${eta} · ${clock(p.elapsedMs)}`;
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`;
}

const list = (r: Record<string, number>, limit = Infinity) => {
  const entries = Object.entries(r);
  const shown = entries.slice(0, limit).map(([k, n]) => `${k} ${n}`).join(' · ');
  return entries.length > limit ? `${shown} · … ${entries.length - limit} more` : shown || '-';
};

/** The lines every crawl's summary opens with: how it ended, and the counts. */
function summaryHead(s: DialSummary, title: string, ended: string): string[] {
  const seconds = (s.durationMs / 1000).toFixed(1);
  return [
    `peerscope · crawl ${title} — ${ended === 'done' ? 'done' : `ended (${ended})`} in ${seconds}s`,
    `reachable ${s.reachable} · unreachable ${s.unreachable} · found ${s.found} · tried ${s.tried} · not dialled ${s.skipped}${s.skipped ? ` (${list(s.skippedByReason)})` : ''}` +
      `${s.untried ? ` · left untried ${s.untried}` : ''}${s.dropped ? ` · dropped ${s.dropped}` : ''} · ${s.handshakesPerSecond} handshakes/s`,
  ];
}

/** The ten most common peer-given strings (agents, client ids), escaped, one a line. */
function topStrings(heading: string, r: Record<string, number>): string[] {
  const entries = Object.entries(r);
  return [
    heading,
    ...entries.slice(0, 10).map(([text, n]) => `  ${String(n).padStart(6)}  ${escapeControls(text)}`),
    ...(entries.length > 10 ? [`  … ${entries.length - 10} more`] : []),
  ];
}

/** The lines every crawl's summary closes with: failures by reason, address networks. */
function summaryTail(s: DialSummary): string[] {
  return [
    `unreachable by reason: ${list(s.unreachableByReason)}`,
    ...(Object.keys(s.endedByReason).length ? [`ended after the handshake: ${list(s.endedByReason)}`] : []),
    `addresses by network: ${list(s.addressesByNetwork as Record<string, number>)}`,
  ];
}

/** The final summary as text: counts, then each breakdown on its own lines. Peer strings escaped. */
export function crawlSummaryText(s: CrawlSummary, title: string, ended: string): string {
  return [
    ...summaryHead(s, title, ended),
    `latest height ${s.latestHeight ?? '-'} · blocks behind: ${list(s.heights)} · handshake p50 ${s.handshakeMs.p50 ?? '-'} ms, p90 ${s.handshakeMs.p90 ?? '-'} ms`,
    ...topStrings('user agents:', s.byUserAgent),
    `protocol versions: ${list(s.byProtocolVersion, 8)}`,
    `services: ${list(s.byServices, 6)}`,
    ...summaryTail(s),
  ].join('\n');
}

/** An Ethereum crawl's summary as text. Client ids and capabilities (peer strings) escaped. */
export function ethereumCrawlSummaryText(s: EthereumCrawlSummary, title: string, ended: string): string {
  const safe = (r: Record<string, number>) => Object.fromEntries(Object.entries(r).map(([k, n]) => [escapeControls(k), n]));
  return [
    ...summaryHead(s, title, ended),
    `discovery: asked ${s.queried} · ${list(s.byDiscovery)} · handshake p50 ${s.handshakeMs.p50 ?? '-'} ms, p90 ${s.handshakeMs.p90 ?? '-'} ms`,
    `clients: ${list(safe(s.byClient), 8)}`,
    ...topStrings('client ids:', s.byClientId),
    `capabilities: ${list(safe(s.byCapabilities), 6)}`,
    `network ids: ${list(s.byNetworkId, 8)} · fork ids: ${list(safe(s.byForkId), 8)}`,
    ...summaryTail(s),
    ...(Object.keys(s.byDisconnectReason).length ? [`their disconnect reasons: ${list(safe(s.byDisconnectReason))}`] : []),
  ].join('\n');
}
