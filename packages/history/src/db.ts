import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type pg from 'pg';

export type Dialect = 'sqlite' | 'postgres';
export type Param = string | number | null;

/**
 * The little both databases share: queries written once with `?` placeholders (numbered for
 * PostgreSQL here), rows of plain numbers and strings, and a batch of writes as one transaction.
 */
export interface Sql {
  readonly dialect: Dialect;
  /** Where it is, for people: a file path, or the URL without its password. */
  readonly where: string;
  all<T = Record<string, unknown>>(sql: string, params?: Param[]): Promise<T[]>;
  /** Statements separated by `;`, no parameters (schema). */
  exec(sql: string): Promise<void>;
  /** Every write of an interval, in one transaction: all of it lands, or none. */
  transaction(writes: Write[]): Promise<void>;
  /**
   * `fn` alone against the database, in one transaction: other processes opening the same database
   * wait (SQLite: BEGIN IMMEDIATE; PostgreSQL: an advisory lock). Migrations run in it.
   */
  exclusive<T>(fn: (sql: Pick<Sql, 'all' | 'exec' | 'dialect'>) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** One statement applied to many rows (`?` per column of a row). */
export interface Write {
  sql: string;
  rows: Param[][];
}

export function isPostgresUrl(target: string): boolean {
  return /^postgres(ql)?:\/\//i.test(target);
}

export function openSql(target: string, options: { readonly?: boolean } = {}): Promise<Sql> {
  return isPostgresUrl(target) ? openPostgres(target) : Promise.resolve(openSqlite(target, options));
}

/** A file in WAL mode: one writer, any number of readers in other processes meanwhile. */
export function openSqlite(file: string, options: { readonly?: boolean } = {}): Sql {
  if (!options.readonly) makeFolders(path.dirname(path.resolve(file)));
  if (options.readonly && !fs.existsSync(file)) throw Object.assign(new Error(`no history database at ${file}`), { code: 'ENOENT', path: file });
  const db = new Database(file, { readonly: options.readonly === true, fileMustExist: options.readonly === true });
  if (!options.readonly) {
    db.pragma('journal_mode = WAL');
    // NORMAL in WAL: a commit is durable once the WAL is synced at checkpoint; a crash (kill -9) loses at
    // most the last transactions, never the file's consistency.
    db.pragma('synchronous = NORMAL');
  }
  db.pragma('busy_timeout = 5000');
  const statements = new Map<string, Database.Statement>();
  const prepare = (sql: string) => {
    let s = statements.get(sql);
    if (!s) statements.set(sql, (s = db.prepare(sql)));
    return s;
  };
  const apply = db.transaction((writes: Write[]) => {
    for (const w of writes) {
      if (w.rows.length === 0) continue;
      const s = prepare(w.sql);
      for (const row of w.rows) s.run(row);
    }
  });
  const all = async <T>(sql: string, params: Param[] = []) => {
    const s = prepare(sql);
    return (s.reader ? s.all(params) : (s.run(params), [])) as T[];
  };
  const exec = async (sql: string) => void db.exec(sql);
  return {
    dialect: 'sqlite',
    where: file,
    all,
    exec,
    transaction: async (writes) => void apply(writes),
    exclusive: async (fn) => {
      db.exec('BEGIN IMMEDIATE');
      try {
        const result = await fn({ dialect: 'sqlite', all, exec });
        db.exec('COMMIT');
        return result;
      } catch (err) {
        if (db.inTransaction) db.exec('ROLLBACK');
        throw err;
      }
    },
    close: async () => void db.close(),
  };
}

/**
 * mkdir -p, one level at a time: Node's recursive mkdir never returns for some paths no one can create
 * (under /proc it loops on ENOENT), and the error of the first level that fails is the one to show.
 */
function makeFolders(dir: string): void {
  const missing: string[] = [];
  for (let d = dir; !fs.existsSync(d); d = path.dirname(d)) {
    missing.unshift(d);
    if (path.dirname(d) === d) break;
  }
  for (const d of missing) fs.mkdirSync(d);
}

/** `?` → `$1, $2, …` (our SQL has no `?` inside string literals). */
export function numberPlaceholders(sql: string, offset = 0): string {
  let n = offset;
  return sql.replace(/\?/g, () => `$${++n}`);
}

export async function openPostgres(url: string): Promise<Sql> {
  // Loaded only for a postgres:// URL: a SQLite run never pays for the client.
  const { default: pgLib } = await import('pg');
  /** int8 and numeric as JS numbers: our values are counts and milliseconds, far below 2^53. */
  const types = {
    getTypeParser(oid: number, format?: 'text' | 'binary') {
      if (oid === 20 || oid === 1700) return (v: string) => (v === null ? null : Number(v));
      return pgLib.types.getTypeParser(oid, format as 'text');
    },
  };
  const pool: pg.Pool = new pgLib.Pool({ connectionString: url, max: 2, types: types as never, connectionTimeoutMillis: 10_000 });
  // A server gone mid-run must not be an uncaught 'error' that ends the monitor.
  pool.on('error', () => {});
  const client = await pool.connect();
  client.release();
  const where = redactUrl(url);
  const ROWS_PER_INSERT = 500;
  return {
    dialect: 'postgres',
    where,
    all: async <T>(sql: string, params: Param[] = []) => (await pool.query(numberPlaceholders(sql), params)).rows as T[],
    exec: async (sql) => void (await pool.query(sql)),
    transaction: async (writes) => {
      const c = await pool.connect();
      try {
        await c.query('BEGIN');
        for (const w of writes) {
          // INSERT … VALUES (?, …) [ON CONFLICT …]: many rows per statement, one round trip each.
          const m = /^(.*?VALUES\s*)(\([^)]*\))(.*)$/is.exec(w.sql);
          if (!m) {
            for (const row of w.rows) await c.query(numberPlaceholders(w.sql), row);
            continue;
          }
          for (let i = 0; i < w.rows.length; i += ROWS_PER_INSERT) {
            const chunk = w.rows.slice(i, i + ROWS_PER_INSERT);
            let offset = 0;
            const values = chunk.map((row) => {
              const v = numberPlaceholders(m[2], offset);
              offset += row.length;
              return v;
            });
            await c.query(`${m[1]}${values.join(', ')}${m[3]}`, chunk.flat());
          }
        }
        await c.query('COMMIT');
      } catch (err) {
        await c.query('ROLLBACK').catch(() => {});
        throw err;
      } finally {
        c.release();
      }
    },
    exclusive: async (fn) => {
      const c = await pool.connect();
      try {
        await c.query('BEGIN');
        await c.query('SELECT pg_advisory_xact_lock(724117)'); // peerscope's lock number: one migrator at a time
        const result = await fn({
          dialect: 'postgres',
          all: async <T>(sql: string, params: Param[] = []) => (await c.query(numberPlaceholders(sql), params)).rows as T[],
          exec: async (sql: string) => void (await c.query(sql)),
        });
        await c.query('COMMIT');
        return result;
      } catch (err) {
        await c.query('ROLLBACK').catch(() => {});
        throw err;
      } finally {
        c.release();
      }
    },
    close: () => pool.end(),
  };
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://…';
  }
}
