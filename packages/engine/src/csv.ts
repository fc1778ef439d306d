/**
 * One CSV field (RFC 4180), for every CSV peerscope writes. What a peer sent stays data: a field a
 * spreadsheet would run as a formula (first character = + - @, tab or carriage return) gets a leading
 * apostrophe, as OWASP advises for CSV injection; fields with quotes, commas, line breaks or edge spaces
 * are quoted. Numbers and booleans are written as they are.
 */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  let s = typeof value === 'string' ? value : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replaceAll('"', '""')}"` : s;
}
