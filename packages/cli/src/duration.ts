const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

export interface DurationRules {
  /** The unit of a bare number: each flag keeps the unit it always had (seconds, or ms for --timeout). */
  unit?: 'ms' | 's';
  /** Lower bound in ms, where a tiny value would flood (a redraw every millisecond). */
  min?: number;
  max?: number;
}

/** ms → the shortest way to write it: 500ms, 5s, 2m, 1h, 1500ms. */
export function formatDuration(ms: number): string {
  for (const [unit, size] of [['h', 3_600_000], ['m', 60_000], ['s', 1_000]] as const) if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

/** "5s", "500ms", "2m", "1h", or a bare number (of `rules.unit`, seconds by default). Throws a one-line message. */
export function parseDuration(text: string, rules: DurationRules = {}): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new Error(`"${text}" is not a duration (e.g. 5s, 500ms, 2m)`);
  const ms = Math.round(Number(m[1]) * UNITS[m[2] ?? rules.unit ?? 's']);
  if (ms <= 0) throw new Error(`"${text}": a duration must be positive`);
  if (rules.min !== undefined && ms < rules.min) throw new Error(`"${text}" is too short: at least ${formatDuration(rules.min)}`);
  if (rules.max !== undefined && ms > rules.max) throw new Error(`"${text}" is too long: at most ${formatDuration(rules.max)}`);
  return ms;
}
