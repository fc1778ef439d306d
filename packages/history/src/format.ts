import { csvField } from '@peerscope/engine';
/** What `history export` writes: rows of plain values, as CSV, one JSON array, or NDJSON. */
export type ExportFormat = 'csv' | 'json' | 'ndjson';

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
