import { Flags } from '@oclif/core';
import { defaultDbPath, HistoryOpenError, isPostgresUrl, openHistory, resolveRun, type RunRow, type Sql } from '@peerscope/history';
import { EnvironmentError, UsageError } from './base-command.js';
import { parseDuration } from './duration.js';
import { escapeControls } from './views/sanitize.js';

/** The flags every `history` command shares. */
export const historyFlags = {
  db: Flags.string({ description: 'the history database: a file, or a postgres:// URL (default: $XDG_DATA_HOME/peerscope/history.db)' }),
  json: Flags.boolean({ description: 'print JSON instead of a table' }),
};

export const runFlags = {
  run: Flags.integer({ description: 'the run (default: the newest; `peerscope history` lists them)', min: 1 }),
  vantage: Flags.string({ description: 'with several monitors writing to one database: the newest run of this vantage' }),
};

/** Opens the history to read it: a missing or unusable database is one line and exit code 2. */
export async function openForReading(db: string | undefined): Promise<Sql> {
  const target = db ?? defaultDbPath();
  try {
    return await openHistory(target, { readonly: true });
  } catch (err) {
    if (err instanceof HistoryOpenError) throw new EnvironmentError(err.message);
    throw err;
  }
}

export async function pickRun(sql: Sql, id: number | undefined, vantage: string | undefined): Promise<RunRow> {
  try {
    return await resolveRun(sql, id, vantage);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** `--at`: an ISO time, milliseconds since the epoch, or +DURATION after the run's start (e.g. +10m). */
export function parseAt(text: string, run: RunRow): number {
  const s = text.trim();
  if (s.startsWith('+')) return run.startedAt + parseDuration(s.slice(1));
  if (/^\d{12,}$/.test(s)) return Number(s);
  const t = Date.parse(s);
  if (Number.isNaN(t)) throw new UsageError(`--at: "${text}" is not a time (an ISO time like 2026-01-02T03:04:05Z, epoch milliseconds, or +10m after the run's start)`);
  return t;
}

export const time = (ms: number | null | undefined) => (ms === null || ms === undefined ? '-' : new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z'));

export function describeDb(db: string | undefined): string {
  const target = db ?? defaultDbPath();
  return isPostgresUrl(target) ? 'PostgreSQL' : target;
}

/** A plain table: a header and left-aligned columns; peer strings with control characters escaped. */
export function table(header: string[], rows: (string | number | null | undefined)[][]): string {
  const cells = [header, ...rows.map((r) => r.map((c) => (c === null || c === undefined ? '-' : escapeControls(String(c)))))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  return cells.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ')).join('\n');
}

export function runTitle(run: RunRow): string {
  return `run ${run.id} · ${run.command}${run.network ? ` ${run.network}` : ''} · ${run.vantage} · ${time(run.startedAt)} → ${run.endedAt ? time(run.endedAt) : run.lastAt ? `${time(run.lastAt)} (not ended)` : 'no interval written'}`;
}
