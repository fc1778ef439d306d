// Every test file: the loopback guard must be active in this process (preloaded via execArgv).
import './loopback-guard.mjs';

if (!(globalThis as { __loopbackGuardInstalled?: boolean }).__loopbackGuardInstalled) {
  throw new Error('loopback guard is not installed');
}
