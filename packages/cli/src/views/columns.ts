import { bytes, clock, ms } from './format.js';
import type { PeerRow } from './rows.js';
import { escapeControls } from './sanitize.js';
import { SGR } from './style.js';

/** A peer-table column showing one key of `PeerStats.details` (arrays joined by ','). */
export interface ExtraColumn {
  header: string;
  detail: string;
}

/** Bitcoin Core's one-letter service names (bitcoin-cli -netinfo): n b w c l 2, u for others. */
const SERVICE_LETTERS: Record<string, string> = {
  NETWORK: 'n', BLOOM: 'b', WITNESS: 'w', COMPACT_FILTERS: 'c', NETWORK_LIMITED: 'l', P2P_V2: '2',
};

export function shortServices(services: string[] | null): string {
  if (!services || services.length === 0) return '-';
  let out = '';
  for (const s of services) {
    const letter = SERVICE_LETTERS[s] ?? 'u';
    if (letter !== 'u' || !out.includes('u')) out += letter;
  }
  return out;
}

/** "4s", "3m", "2h": how long since the peer last sent anything. */
export function ago(msAgo: number): string {
  const s = Math.max(0, Math.round(msAgo / 1000));
  return s < 60 ? `${s}s` : s < 3600 ? `${Math.floor(s / 60)}m` : `${Math.floor(s / 3600)}h`;
}

export interface Column {
  id: string;
  header: string;
  /** Lower comes first when the width runs out. */
  priority: number;
  /** Widest it is made when deciding which columns fit; it may shrink to `min`, then grow to `grow` with space left over. */
  width: number;
  min?: number;
  grow?: number;
  right?: boolean;
  text(row: PeerRow, now: number): string;
  /** SGR code for the cell, if any. */
  colour?(row: PeerRow, now: number): string | undefined;
  /** Sorting by this column (undefined: this column does not sort). */
  key?(row: PeerRow, now: number): number | string;
}

const STATE_ORDER: Record<string, number> = { ready: 0, handshaking: 1, connecting: 2, failed: 3, closed: 4 };
/** A ready peer silent this long is flagged (pings go every 30 s or less, so a minute is two missed). */
export const SILENT_MS = 60_000;

export function stateText(row: PeerRow, now: number): string {
  if (row.state === 'failed') return `failed: ${row.reason ?? '?'}${row.detail ? ` (${escapeControls(row.detail)})` : ''}`;
  if (row.state === 'closed') return 'closed';
  return `${row.state} ${clock(now - row.since)}`;
}

function stateColour(row: PeerRow): string | undefined {
  return row.state === 'ready' ? SGR.green : row.state === 'failed' ? SGR.red : row.state === 'closed' ? SGR.dim : SGR.yellow;
}

function detailCell(row: PeerRow, key: string): string {
  const v = row.details?.[key];
  if (v === undefined || v === null || v === '') return '-';
  return escapeControls(Array.isArray(v) ? v.join(',') || '-' : String(v));
}

/** Columns of this priority or better are never dropped to widen another. */
const ESSENTIAL = 5;

const num = (n: number | null) => (n === null ? -1 : n);

/** Every column the live table may show, in display order; `priority` picks which fit. */
export function peerColumns(extra: ExtraColumn[] = []): Column[] {
  return [
    { id: 'address', header: 'ADDRESS', priority: 0, width: 46, min: 15, text: (r) => escapeControls(r.address), key: (r) => r.address },
    {
      id: 'state', header: 'STATE', priority: 1, width: 24, min: 12, grow: 72, text: stateText, colour: stateColour,
      key: (r) => STATE_ORDER[r.state] * 1e13 + r.startedAt,
    },
    { id: 'tries', header: 'TRIES', priority: 6, width: 5, right: true, text: (r) => String(r.attempts), key: (r) => -r.attempts },
    {
      id: 'agent', header: 'AGENT', priority: 2, width: 24, min: 10, grow: 40, text: (r) => (r.userAgent === null ? '-' : escapeControls(r.userAgent)),
      key: (r) => r.userAgent ?? '\uffff',
    },
    { id: 'ver', header: 'VER', priority: 10, width: 6, right: true, text: (r) => (r.version === null ? '-' : String(r.version)), key: (r) => -num(r.version) },
    { id: 'services', header: 'SERV', priority: 9, width: 6, text: (r) => shortServices(r.services), key: (r) => shortServices(r.services) },
    { id: 'start', header: 'START', priority: 11, width: 8, right: true, text: (r) => (r.startHeight === null ? '-' : String(r.startHeight)), key: (r) => -num(r.startHeight) },
    { id: 'best', header: 'BEST', priority: 3, width: 8, right: true, text: (r) => (r.bestHeight === null ? '-' : String(r.bestHeight)), key: (r) => -num(r.bestHeight) },
    ...extra.map((c, i): Column => ({
      id: `x:${c.detail}`, header: c.header, priority: 12 + i, width: 30, min: 8, text: (r) => detailCell(r, c.detail), key: (r) => detailCell(r, c.detail),
    })),
    {
      id: 'ping', header: 'PING ms', priority: 4, width: 9, right: true, text: (r) => (r.pingMs === null ? '-' : ms(r.pingMs)),
      key: (r) => (r.pingMs === null ? Infinity : r.pingMs),
    },
    {
      id: 'last', header: 'LAST', priority: 5, width: 5, right: true,
      text: (r, now) => (r.lastMessageAt === null ? '-' : ago(now - r.lastMessageAt)),
      colour: (r, now) => (r.state === 'ready' && r.lastMessageAt !== null && now - r.lastMessageAt > SILENT_MS ? SGR.red : undefined),
      key: (r, now) => (r.lastMessageAt === null ? Infinity : now - r.lastMessageAt),
    },
    { id: 'in', header: 'IN', priority: 7, width: 16, right: true, text: (r) => `${r.messagesIn} / ${bytes(r.bytesIn)}`, key: (r) => -r.bytesIn },
    { id: 'out', header: 'OUT', priority: 8, width: 16, right: true, text: (r) => `${r.messagesOut} / ${bytes(r.bytesOut)}`, key: (r) => -r.bytesOut },
    { id: 'addrs', header: 'ADDRS', priority: 13 + extra.length, width: 6, right: true, text: (r) => String(r.addressesLearned), key: (r) => -r.addressesLearned },
    { id: 'top', header: 'TOP IN', priority: 14 + extra.length, width: 40, min: 10, text: (r) => escapeControls(r.topIn) },
  ];
}

/**
 * Pure: which columns fit `width` and how wide each is. By priority, each column takes its natural
 * width if that fits, or what is left if that is at least its minimum; otherwise it is left out. So
 * the columns that matter most are whole before a lesser one appears. Columns are one space apart.
 */
export function fitColumns(all: Column[], width: number, wanted: (c: Column) => number): { column: Column; width: number }[] {
  const natural = (c: Column) => Math.min(wanted(c), c.width);
  const byPriority = [...all].sort((a, b) => a.priority - b.priority);
  const widths = new Map<Column, number>();
  let used = 0;
  for (const c of byPriority) {
    const sep = widths.size > 0 ? 1 : 0;
    const left = width - used - sep;
    const want = natural(c);
    const w = want <= left ? want : c.min !== undefined && left >= c.min ? left : widths.size === 0 ? Math.max(1, left) : 0;
    if (w <= 0) continue;
    widths.set(c, w);
    used += sep + w;
  }
  // What is left widens the columns that have more to show, most important first; a column that is
  // not essential gives way to one of higher priority that has more to say (a failure's detail).
  for (const c of byPriority) {
    const w = widths.get(c);
    if (w === undefined || c.grow === undefined) continue;
    const need = Math.min(wanted(c), c.grow) - w;
    while (need > width - used) {
      const victim = [...widths.keys()].filter((v) => v.priority > c.priority && v.priority > ESSENTIAL).sort((a, b) => b.priority - a.priority)[0];
      if (!victim) break;
      used -= widths.get(victim)! + 1;
      widths.delete(victim);
    }
    const more = Math.min(width - used, need);
    if (more > 0) {
      widths.set(c, w + more);
      used += more;
    }
  }
  return all.filter((c) => widths.has(c)).map((c) => ({ column: c, width: widths.get(c)! }));
}
