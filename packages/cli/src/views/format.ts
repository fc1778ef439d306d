/** 1234567 → "1.2 MB"; bytes in SI units, as network tools print them. */
export function bytes(n: number): string {
  if (n < 1000) return `${Math.round(n)} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = -1;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

/** ms → "1:02:03" or "2:03". */
export function clock(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

export function ms(n: number | undefined): string {
  if (n === undefined) return '-';
  return n < 10 ? n.toFixed(2) : n < 100 ? n.toFixed(1) : String(Math.round(n));
}

function fit(text: string, width: number): string {
  return text.length <= width ? text.padEnd(width) : text.slice(0, width - 1) + '…';
}

export function time(at: number): string {
  return new Date(at).toISOString().slice(11, 19);
}

/** Rows → aligned columns (first row is the header). */
export function columns(rows: string[][], maxWidths: number[]): string {
  const widths = maxWidths.map((max, i) => Math.min(max, Math.max(...rows.map((r) => (r[i] ?? '').length))));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? (c ?? '') : fit(c ?? '', widths[i]))).join('  ').trimEnd()).join('\n');
}
