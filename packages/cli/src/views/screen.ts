import type { NetworkSnapshot } from '@peerscope/engine';
import { peerColumns, fitColumns, type Column, type ExtraColumn } from './columns.js';
import { bytes, clock, time } from './format.js';
import type { PeerRow } from './rows.js';
import { escapeControls } from './sanitize.js';
import { PLAIN, SGR, type Style } from './style.js';

/** What the keys change: scroll position, sort, filter, failed-only, help. */
export interface ScreenState {
  /** Index of the first row shown. */
  top: number;
  sort: string;
  reverse: boolean;
  filter: string;
  /** While `/` is being typed. */
  editingFilter: boolean;
  failedOnly: boolean;
  help: boolean;
}

export const INITIAL_SCREEN: ScreenState = { top: 0, sort: 'state', reverse: false, filter: '', editingFilter: false, failedOnly: false, help: false };

export interface ScreenInput {
  snapshot: NetworkSnapshot;
  rows: PeerRow[];
  title: string;
  intervalMs: number;
  extraColumns?: ExtraColumn[];
  /** Lines that stay on screen until they no longer apply (no DNS answer, wrong network…). */
  notices: string[];
  /** Addresses seen in the run, peak ready (from the run ledger). */
  peersSeen: number;
  peakReady: number;
  /** Peers (addresses) whose last connection failed, and by reason. */
  failedPeers: number;
  failures?: Record<string, number>;
  size: { columns: number; rows: number };
  style?: Style;
}

export const KEYS_HELP = [
  'q, Ctrl-C     quit (closes every connection, prints the final summary)',
  '↑ ↓ / j k     scroll one row         PgUp PgDn / space   scroll a page',
  'Home End      first / last row',
  's  < >        next sort column / previous, next     r   reverse the sort',
  '/             filter by text (address, state, agent); Enter keeps it, Esc clears',
  'f             failed peers only (again: all)',
  '?             this help (any key closes it)',
];

/** Pure: the rows the view shows, filtered and sorted as the state says. */
export function visibleRows(rows: PeerRow[], state: ScreenState, columns: Column[], now: number): PeerRow[] {
  let list = state.failedOnly ? rows.filter((r) => r.state === 'failed') : rows;
  if (state.filter) {
    const needle = state.filter.toLowerCase();
    list = list.filter((r) => r.address.toLowerCase().includes(needle) || (r.userAgent ?? '').toLowerCase().includes(needle)
      || r.state.includes(needle) || (r.reason ?? '').includes(needle) || (r.detail ?? '').toLowerCase().includes(needle));
  }
  const col = columns.find((c) => c.id === state.sort && c.key) ?? columns.find((c) => c.id === 'state')!;
  const key = col.key!;
  const keyed = list.map((r) => ({ r, k: key(r, now) }));
  const dir = state.reverse ? -1 : 1;
  keyed.sort((a, b) => (a.k < b.k ? -dir : a.k > b.k ? dir : a.r.startedAt - b.r.startedAt));
  return keyed.map((x) => x.r);
}

/** Sortable columns, in display order: what `<`, `>` and `s` move through. */
export function sortOrder(extra?: ExtraColumn[]): string[] {
  return peerColumns(extra).filter((c) => c.key).map((c) => c.id);
}

function cut(text: string, width: number, right = false): string {
  if (text.length > width) return width <= 1 ? text.slice(0, width) : `${text.slice(0, width - 1)}…`;
  return right ? text.padStart(width) : text.padEnd(width);
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The lines above the table: the network at a glance. */
export function headerLines(i: Omit<ScreenInput, 'size' | 'style'>): string[] {
  const s = i.snapshot;
  const agents = Object.entries(s.userAgents).sort((a, b) => b[1] - a[1]).map(([ua, n]) => `${escapeControls(ua)} ×${n}`).join(', ') || '-';
  const failures = Object.entries(i.failures ?? {}).sort((a, b) => b[1] - a[1]).map(([r, n]) => `${escapeControls(r)} ×${n}`).join(', ');
  return [
    `peerscope · ${i.title} · ${time(s.at)} UTC · up ${clock(s.uptimeMs)} · every ${i.intervalMs / 1000}s`,
    `peers ${s.ready}/${s.target} ready (peak ${i.peakReady}) · ${s.connecting} connecting · ${i.failedPeers} failed · ${i.peersSeen} seen · addresses ${s.addresses.known} known, ${s.addresses.tried} tried`,
    `traffic in ${s.rates.messagesIn} msg/s ${bytes(s.rates.bytesIn)}/s · out ${s.rates.messagesOut} msg/s ${bytes(s.rates.bytesOut)}/s · total in ${plural(s.totals.messagesIn, 'msg')} ${bytes(s.totals.bytesIn)}, out ${plural(s.totals.messagesOut, 'msg')} ${bytes(s.totals.bytesOut)}`,
    `height ${s.consensus ? `${s.consensus.height} (${s.consensus.peers} of ${s.ready} ready)` : '-'} · agents ${agents}`,
    ...(failures ? [`failures ${failures} (peers)`] : []),
  ];
}

/**
 * Pure: the whole screen, exactly `size.rows` lines, none wider than `size.columns` (colour codes
 * aside). Only the rows that fit are formatted, however many peers there are.
 */
export function renderScreen(i: ScreenInput, state: ScreenState): { lines: string[]; state: ScreenState; room: number } {
  const { columns: width, rows: height } = i.size;
  const style = i.style ?? PLAIN;
  const now = i.snapshot.at;
  const all = peerColumns(i.extraColumns);
  const header = headerLines(i);
  const notices = i.notices.map((n) => style.paint(cut(`! ${n}`, width).trimEnd(), SGR.yellow));
  const top: string[] = [...header.map((l) => cut(l, width).trimEnd()), ...notices];
  const rows = visibleRows(i.rows, state, all, now);
  // Room for the table: the header lines, the column titles and the footer.
  const room = Math.max(0, height - top.length - 2);
  const maxTop = Math.max(0, rows.length - room);
  const next = { ...state, top: Math.min(Math.max(0, state.top), maxTop) };
  const shown = rows.slice(next.top, next.top + room);
  const lines: string[] = [...top.slice(0, Math.max(0, height - 1))];

  if (state.help) {
    lines.length = 0;
    lines.push(style.paint(cut('KEYS (any key closes this)', width), SGR.inverse));
    for (const h of KEYS_HELP) lines.push(cut(h, width).trimEnd());
  } else if (lines.length < height - 1) {
    lines.push(...tableLines(shown, all, width, now, style, next));
    if (rows.length === 0) lines.push(state.failedOnly || state.filter ? '(no peer matches)' : '(no peers yet)');
  }
  while (lines.length < height - 1) lines.push('');
  lines.length = Math.max(0, height - 1);
  const range = rows.length === 0 ? '0 rows' : `${next.top + 1}-${next.top + shown.length} of ${rows.length}`;
  const footer = state.editingFilter
    ? `/${state.filter}▏  Enter keep · Esc clear`
    : `q quit · ↑↓ PgUp PgDn · s < > sort: ${next.sort}${next.reverse ? ' ▲' : ''} · / filter${state.filter ? `: ${state.filter}` : ''} · f ${state.failedOnly ? 'all' : 'failed'} · ? keys · ${range}`;
  // The last column of the last line is left empty: writing there would scroll some terminals.
  if (height > 0) lines.push(style.paint(cut(footer, Math.max(1, width - 1)).trimEnd(), SGR.dim));
  return { lines, state: next, room };
}

/** Pure: the column titles and one line per row, the columns chosen for `width` by priority. */
export function tableLines(shown: PeerRow[], all: Column[], width: number, now: number, style: Style = PLAIN, state?: Pick<ScreenState, 'sort' | 'reverse'>): string[] {
  const cells = shown.map((r) => all.map((c) => c.text(r, now)));
  const natural = (c: Column) => {
    const idx = all.indexOf(c);
    let w = c.header.length + (state?.sort === c.id ? 1 : 0);
    for (const row of cells) if (row[idx].length > w) w = row[idx].length;
    return Math.min(w, c.grow ?? c.width);
  };
  const fitted = fitColumns(all, width, natural);
  const titles = fitted.map(({ column, width: w }) => {
    const mark = column.id === state?.sort ? (state.reverse ? '▲' : '▼') : '';
    return cut(column.header + mark, w, column.right);
  }).join(' ');
  const lines = [style.enabled ? style.paint(titles.padEnd(width), SGR.inverse) : titles.trimEnd()];
  for (let n = 0; n < shown.length; n++) {
    const r = shown[n];
    const line = fitted.map(({ column, width: w }) => {
      const text = cut(cells[n][all.indexOf(column)], w, column.right);
      const sgr = column.colour?.(r, now);
      return sgr && style.enabled ? style.paint(text, sgr) : text;
    }).join(' ');
    lines.push(style.enabled ? line : line.trimEnd());
  }
  return lines;
}
