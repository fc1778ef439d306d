const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** "5s", "500ms", "2m", "1h", or a bare number of seconds. Throws a one-line message. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new Error(`"${text}" is not a duration (e.g. 5s, 500ms, 2m)`);
  const ms = Number(m[1]) * UNITS[m[2] ?? 's'];
  if (ms <= 0) throw new Error(`"${text}": a duration must be positive`);
  return Math.round(ms);
}
