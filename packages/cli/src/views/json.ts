import type { NetworkSnapshot } from '@peerscope/engine';

/** One newline-delimited JSON record: a snapshot each interval, a summary at the end. */
export function jsonLine(type: 'snapshot' | 'summary', s: NetworkSnapshot, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ type, ...extra, ...s }) + '\n';
}
