/** How long to wait before dialling an address again after it failed. */
export interface BackoffPolicy {
  /** The wait after the first failure; each further failure in a row doubles it. */
  baseMs: number;
  maxMs: number;
}

/** Exponential backoff: baseMs · 2^(failures−1), capped at maxMs. One rule for every redial in peerscope. */
export function backoffDelay(policy: BackoffPolicy, failures: number): number {
  return Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, failures - 1));
}
