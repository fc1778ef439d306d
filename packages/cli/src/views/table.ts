import { peerColumns, type ExtraColumn } from './columns.js';
import type { PeerRow } from './rows.js';
import { headerLines, tableLines, visibleRows, INITIAL_SCREEN, type ScreenInput } from './screen.js';

export type { ExtraColumn } from './columns.js';

export interface ViewContext {
  /** e.g. "bitcoin regtest" */
  title: string;
  intervalMs: number;
  /** Protocol-specific columns, chosen by the command that knows the protocol. */
  extraColumns?: ExtraColumn[];
}

/** Width of the table when the output is not a terminal (a log, a pipe): wide enough for every column. */
export const PLAIN_WIDTH = 240;

/**
 * Pure: the view for a pipe or a log file, once per interval: the summary lines, notices, then every
 * row (no colour, no cursor codes).
 */
export function renderPlain(i: Omit<ScreenInput, 'size' | 'style'>, width = PLAIN_WIDTH): string {
  const all = peerColumns(i.extraColumns);
  const rows: PeerRow[] = visibleRows(i.rows, INITIAL_SCREEN, all, i.snapshot.at);
  return [...headerLines(i), ...i.notices.map((n) => `! ${n}`), '', ...tableLines(rows, all, width, i.snapshot.at)].join('\n');
}
