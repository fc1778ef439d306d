/** What `history export` writes: rows of plain values, as CSV, one JSON array, or NDJSON. */
export type ExportFormat = 'csv' | 'json' | 'ndjson';

/**
 * One CSV field. Peer-supplied strings stay data: a field a spreadsheet would run as a formula
 * (starting with = + - @, tab or carriage return) gets a leading apostrophe, as OWASP advises, and
 * fields with quotes, commas or line breaks are quoted. Numbers are written as they are.
 */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  let s = typeof value === 'string' ? value : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function* formatRows(rows: Record<string, unknown>[], format: ExportFormat): Generator<string> {
  switch (format) {
    case 'ndjson':
      for (const r of rows) yield `${JSON.stringify(r)}\n`;
      return;
    case 'json':
      yield `${JSON.stringify(rows, null, 2)}\n`;
      return;
    case 'csv': {
      const columns = rows.length > 0 ? Object.keys(rows[0]) : [];
      yield `${columns.join(',')}\r\n`;
      for (const r of rows) yield `${columns.map((c) => csvField(r[c])).join(',')}\r\n`;
      return;
    }
  }
}
