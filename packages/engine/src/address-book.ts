import { formatAddress } from './address.js';
import { backoffDelay, type BackoffPolicy } from './backoff.js';

/** seed: given by the user; dns: from DNS seeds; learned: from a peer; discovered: from a discovery service (discv4). */
export type AddressSource = 'seed' | 'dns' | 'learned' | 'discovered';

export interface BookEntry {
  address: string;
  host: string;
  port: number;
  source: AddressSource;
  /** The peer's identity, if its address carried one (see parsePeerAddress). */
  key?: string;
  attempts: number;
  /** Connected successfully at least once. */
  succeeded: boolean;
  /** Not dialled again before this time (ms since epoch). */
  retryAt: number;
  /** Currently being dialled or connected: never dialled twice at once. */
  active: boolean;
  dialable: boolean;
}


export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1_000, maxMs: 5 * 60_000 };

/** Upper bound on remembered addresses: peers may send 1,000 per addr message, and many of them. */
export const MAX_BOOK_ENTRIES = 50_000;

/** Every address the peer keeper has heard of, with what happened when it was dialled. */
export class AddressBook {
  private readonly entries = new Map<string, BookEntry>();

  constructor(private readonly backoff: BackoffPolicy = DEFAULT_BACKOFF) {}

  get size(): number {
    return this.entries.size;
  }

  /**
   * Adds an address if new (the first source wins: a seed stays a seed) and returns its entry. A known
   * address heard again with another key takes the newer key: the node behind it has a new identity.
   */
  add(host: string, port: number, source: AddressSource, dialable: boolean, key?: string): BookEntry | undefined {
    const address = formatAddress(host, port);
    const known = this.entries.get(address);
    if (known) {
      if (key) known.key = key;
      return known;
    }
    if (this.entries.size >= MAX_BOOK_ENTRIES && source !== 'seed') return undefined;
    const entry: BookEntry = { address, host, port, source, key, attempts: 0, succeeded: false, retryAt: 0, active: false, dialable };
    this.entries.set(address, entry);
    return entry;
  }

  get(address: string): BookEntry | undefined {
    return this.entries.get(address);
  }

  /**
   * The next address to dial: never-tried first (seeds before learned), then failed ones whose backoff
   * has passed, fewest attempts first.
   */
  next(now: number): BookEntry | undefined {
    let best: BookEntry | undefined;
    for (const e of this.entries.values()) {
      if (!e.dialable || e.active || e.retryAt > now) continue;
      if (!best || rank(e) < rank(best)) best = e;
      if (e.attempts === 0 && (e.source === 'seed' || e.source === 'dns')) break;
    }
    return best;
  }

  /** When the earliest backed-off address becomes dialable again, if any. */
  nextRetryAt(): number | undefined {
    let at: number | undefined;
    for (const e of this.entries.values()) {
      if (e.dialable && !e.active && e.attempts > 0 && (at === undefined || e.retryAt < at)) at = e.retryAt;
    }
    return at;
  }

  markDialling(entry: BookEntry): void {
    entry.active = true;
    entry.attempts += 1;
  }

  markReady(entry: BookEntry): void {
    entry.succeeded = true;
    entry.attempts = 1; // a peer that worked is retried quickly if it drops
  }

  /** The connection ended: back off exponentially before trying this address again. */
  markEnded(entry: BookEntry, now: number): void {
    entry.active = false;
    const delay = backoffDelay(this.backoff, entry.attempts);
    entry.retryAt = now + delay;
  }
}

function rank(e: BookEntry): number {
  const sourceRank = e.source === 'seed' || e.source === 'dns' ? 0 : 1;
  return e.attempts * 4 + sourceRank;
}
