// Every test file: the loopback guard must be active in this process (preloaded via execArgv), and a
// test during which anything tried to leave loopback fails, even when the code under test caught the
// guard's error (the engine reports it as an ordinary `unreachable` peer).
import { randomUUID } from 'node:crypto';
import fs, { rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach } from 'vitest';
import './loopback-guard.mjs';
import { acknowledgedCount, recordedViolations, resetAcknowledged } from './loopback.js';

if (!(globalThis as { __loopbackGuardInstalled?: boolean }).__loopbackGuardInstalled) {
  throw new Error('loopback guard is not installed');
}

// One file per test process, named before any worker thread or CLI child starts: they inherit it. A
// value inherited from a parent (vitest run from inside a test) is replaced: the parent's tests must
// not be blamed for this process's refusals. The guard creates the file only on a refusal.
const OWNED = Symbol.for('peerscope.loopbackViolationsFile');
const proc = process as NodeJS.Process & { [OWNED]?: string };
if (proc[OWNED] === undefined || process.env.PEERSCOPE_LOOPBACK_VIOLATIONS !== proc[OWNED]) {
  const named = path.join(os.tmpdir(), `peerscope-loopback-${process.pid}-${randomUUID()}.log`);
  proc[OWNED] = process.env.PEERSCOPE_LOOPBACK_VIOLATIONS = named;
  process.once('exit', () => rmSync(named, { force: true }));
}
const file = proc[OWNED]!;

// Every monitor run records its history by default: tests (and the CLI children they start) record
// into a folder of this process's own, never into the user's data directory.
if (process.env.PEERSCOPE_TEST_DATA_HOME === undefined || process.env.XDG_DATA_HOME !== process.env.PEERSCOPE_TEST_DATA_HOME) {
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'peerscope-data-'));
  process.env.PEERSCOPE_TEST_DATA_HOME = process.env.XDG_DATA_HOME = data;
  process.once('exit', () => rmSync(data, { recursive: true, force: true }));
}
resetAcknowledged();

// Refusals already reported (or acknowledged); each check blames only what came after.
let baseline = recordedViolations().length;

function check(when: string): void {
  const all = recordedViolations();
  const fresh = all.slice(Math.max(baseline, acknowledgedCount()));
  baseline = all.length;
  if (fresh.length > 0) {
    throw new Error(`${when} tried to leave loopback (${fresh.length} refused):\n  ${fresh.join('\n  ')}`);
  }
}

afterEach(() => check('this test'));
afterAll(() => {
  try {
    check('this file (hooks or stragglers)');
  } finally {
    // Vitest may run the next file in this process: it starts from an empty record.
    rmSync(file, { force: true });
    resetAcknowledged();
  }
});
