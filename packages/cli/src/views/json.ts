/**
 * The NDJSON contract of every command (monitor, node, sum, eth): one JSON object per line, its kind in
 * `type`, `at` in epoch milliseconds, absent values as null (never left out), and `schema` (the
 * version of docs/schemas) on the first record a command writes.
 */
export const NDJSON_SCHEMA = 'peerscope/1';

const nulls = (_key: string, value: unknown) => (value === undefined ? null : value);

/** A writer of records: the first one carries `schema`. */
export function ndjson(write: (line: string) => void): (type: string, record: object, at?: number) => void {
  let first = true;
  return (type, record, at) => {
    const head: Record<string, unknown> = { type };
    if (first) head.schema = NDJSON_SCHEMA;
    first = false;
    const body = record as { at?: unknown };
    head.at = at ?? (typeof body.at === 'number' ? body.at : Date.now());
    write(`${JSON.stringify({ ...head, ...record, type, at: head.at }, nulls)}\n`);
  };
}
