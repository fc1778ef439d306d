import { appendFileSync } from 'node:fs';

/** One row of docs/reliability.md's table, as a reliability test measured it. */
export interface ReliabilityRow {
  kind: string;
  count: number;
  outcome: string;
  /** From the peer's first event (or the attack's start) to its typed failure. */
  detectionMs?: number;
  rssHighMB?: number;
  test: string;
}

/** Appends a row (JSON line) to $PEERSCOPE_RELIABILITY_OUT when set; scripts/reliability-table.ts reads them. */
export function record(row: ReliabilityRow): void {
  const file = process.env.PEERSCOPE_RELIABILITY_OUT;
  if (file) appendFileSync(file, `${JSON.stringify(row)}\n`);
}
