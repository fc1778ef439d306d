// The refusals the loopback guard recorded in this test process, its worker threads and its CLI
// children (see loopback-guard.mjs). setup.ts fails a test that added to them.
import { readFileSync } from 'node:fs';

type GuardState = { __loopbackGuardAcknowledged?: number };

/** The file every guarded process of this test process appends its refusals to. */
export function violationsFile(): string {
  const file = process.env.PEERSCOPE_LOOPBACK_VIOLATIONS;
  if (!file) throw new Error('PEERSCOPE_LOOPBACK_VIOLATIONS is not set: test/support/setup.ts did not run');
  return file;
}

export function recordedViolations(): string[] {
  try {
    return readFileSync(violationsFile(), 'utf8').split('\n').filter(Boolean);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/**
 * For tests of the guard itself: the refusals recorded so far were meant to happen. Call it after the
 * deliberate attempts; any refusal after it still fails the test.
 */
export function acknowledgeLoopbackRefusals(): void {
  (globalThis as GuardState).__loopbackGuardAcknowledged = recordedViolations().length;
}

export function resetAcknowledged(): void {
  (globalThis as GuardState).__loopbackGuardAcknowledged = 0;
}

export function acknowledgedCount(): number {
  return (globalThis as GuardState).__loopbackGuardAcknowledged ?? 0;
}
