/** A database error as the few words a person needs: what happened to which database. */
export function describeWriteError(err: unknown, where: string): string {
  const e = err as { code?: string; message?: string };
  const code = e?.code ?? '';
  if (code === 'SQLITE_FULL' || code === 'ENOSPC' || code === '53100') return `the disk holding ${where} is full`;
  if (code.startsWith('SQLITE_READONLY') || code === 'EROFS' || code === 'EACCES' || code === 'EPERM' || code === '25006') return `${where} is read-only now`;
  if (code.startsWith('SQLITE_IOERR')) return `cannot write ${where} (I/O error: ${code})`;
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') return `${where} is not a usable peerscope history database`;
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === '57P01' || /Connection terminated|not queryable/i.test(e?.message ?? '')) return `lost the connection to ${where}`;
  return `cannot write ${where}: ${(e?.message ?? String(err)).split('\n')[0]}`;
}

/** Why a database cannot be opened, in one line (exit code 2 before any peer is dialled). */
export function describeOpenError(err: unknown, where: string): string {
  const e = err as { code?: string; message?: string };
  const code = e?.code ?? '';
  if (code === 'SQLITE_CANTOPEN' || code === 'ENOENT') return `cannot open the history database ${where} (no such file or folder, or no permission)`;
  if (code.startsWith('SQLITE_READONLY') || code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return `cannot write the history database ${where} (read-only or no permission); --no-db turns recording off`;
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) return `${where} is not a peerscope history database`;
  if (code === 'SQLITE_FULL' || code === 'ENOSPC') return `the disk holding ${where} is full; --no-db turns recording off`;
  if (code === 'ECONNREFUSED') return `cannot connect to ${where}: connection refused (is PostgreSQL running there?)`;
  if (code === '28P01' || code === '28000') return `PostgreSQL refused the login for ${where}`;
  if (code === '3D000') return `the database in ${where} does not exist (createdb it first)`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `cannot connect to ${where}: the host does not resolve`;
  return `cannot open the history database ${where}: ${(e?.message ?? String(err)).split('\n')[0]}`;
}
