import { collectGarbage } from './collect-garbage.js';

/** New peers since the last compaction that make the next quiet spell worth a compaction. */
export const COMPACT_AFTER_PEERS = 500;
/** How long no new peer must start before compacting: the burst is over. */
export const COMPACT_WHEN_QUIET_MS = 10_000;

/**
 * V8's memory reducer compacts an idle main thread; nothing compacts a worker. After a burst of
 * thousands of handshakes, the peers' long-lived objects sit thinly spread over pages the burst's
 * garbage filled, and RSS stays near its peak (about 5 KB a peer). Once the burst is over, one
 * compacting collection packs them: a single pause (about 0.1 s for 10,000 peers) for good.
 */
export class BurstCompactor {
  private started = 0;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly compact: () => void = collectGarbage,
    private readonly afterPeers = COMPACT_AFTER_PEERS,
    private readonly quietMs = COMPACT_WHEN_QUIET_MS,
  ) {}

  /** A peer started. */
  peerStarted(): void {
    this.started++;
    if (this.started < this.afterPeers) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(this.run, this.quietMs);
    this.timer.unref();
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  private readonly run = (): void => {
    this.started = 0;
    this.compact();
  };
}
