import { isPostgresUrl, openSql, redactUrl, type Sql } from './db.js';
import { describeOpenError } from './errors.js';
import { migrate } from './schema.js';

/** A history database that cannot be opened: the message is one line for people. */
export class HistoryOpenError extends Error {}

/**
 * Opens (creating if needed) the history at `target`, a file path or a postgres:// URL, and brings its
 * schema up to date. `readonly`: only reads (history commands), never creates or migrates a file.
 */
export async function openHistory(target: string, o: { readonly?: boolean } = {}): Promise<Sql> {
  const where = isPostgresUrl(target) ? redactUrl(target) : target;
  let sql: Sql | undefined;
  try {
    sql = await openSql(target, { readonly: o.readonly === true && !isPostgresUrl(target) });
    if (!o.readonly) await migrate(sql);
    else await sql.all('SELECT 1 FROM runs LIMIT 1');
    return sql;
  } catch (err) {
    await sql?.close().catch(() => {});
    if (/newer than this peerscope/.test((err as Error).message)) throw new HistoryOpenError((err as Error).message);
    if (o.readonly && /no such table/.test((err as Error).message)) throw new HistoryOpenError(`${where} holds no peerscope history`);
    throw new HistoryOpenError(describeOpenError(err, where));
  }
}
