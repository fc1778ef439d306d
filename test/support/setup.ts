// Every test file: the loopback guard must be active in this process (preloaded via execArgv), and a
// test during which anything tried to leave loopback fails, even when the code under test caught the
// guard's error (the engine reports it as an ordinary `unreachable` peer).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach } from 'vitest';
import './loopback-guard.mjs';
import { acknowledgedCount, recordedViolations } from './loopback.js';

if (!(globalThis as { __loopbackGuardInstalled?: boolean }).__loopbackGuardInstalled) {
  throw new Error('loopback guard is not installed');
}

// One file per test process, named before any worker thread or CLI child starts: they inherit it. A
// value inherited from a parent (vitest run from inside a test) is replaced: the parent's tests must
// not be blamed for this process's refusals.
const OWNED = Symbol.for('peerscope.loopbackViolationsFile');
const proc = process as NodeJS.Process & { [OWNED]?: string };
if (proc[OWNED] === undefined || process.env.PEERSCOPE_LOOPBACK_VIOLATIONS !== proc[OWNED]) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'peerscope-loopback-'));
  proc[OWNED] = process.env.PEERSCOPE_LOOPBACK_VIOLATIONS = path.join(dir, 'violations.log');
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
}

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
afterAll(() => check('this file (hooks or stragglers)'));
