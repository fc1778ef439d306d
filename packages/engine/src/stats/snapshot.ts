import type { FailureReason } from '../events.js';
import { wasReadyAtEnd, type PeerStats } from './peer-stats.js';
import type { Totals } from './totals.js';

/** What the views show each interval: the network, then one row per peer. JSON-safe. */
export interface NetworkSnapshot {
  at: number;
  uptimeMs: number;
  target: number;
  ready: number;
  /** connecting or handshaking */
  connecting: number;
  /** connections that ended in failure since the start */
  failed: number;
  handshakes: { succeeded: number; failed: number };
  addresses: { known: number; tried: number };
  totals: { messagesIn: number; messagesOut: number; bytesIn: number; bytesOut: number };
  /** Per second over the last interval. */
  rates: { messagesIn: number; messagesOut: number; bytesIn: number; bytesOut: number };
  /** The most common best height among ready peers (at the end: peers that were ready when stopped), and how many are on it. */
  consensus: { height: number; peers: number } | null;
  userAgents: Record<string, number>;
  failures: Record<FailureReason, number>;
  peers: PeerStats[];
}

export interface SnapshotInput {
  peers: Iterable<PeerStats>;
  totals: Totals;
  target: number;
  startedAt: number;
  now: number;
  previous?: NetworkSnapshot;
}

/** Most common value; ties go to the higher height (the chain tip most peers agree on or have passed). */
export function consensusHeight(heights: number[]): { height: number; peers: number } | null {
  const counts = new Map<number, number>();
  for (const h of heights) counts.set(h, (counts.get(h) ?? 0) + 1);
  let best: { height: number; peers: number } | null = null;
  for (const [height, peers] of counts) {
    if (!best || peers > best.peers || (peers === best.peers && height > best.height)) best = { height, peers };
  }
  return best;
}

const STATE_ORDER = { ready: 0, handshaking: 1, connecting: 2, failed: 3, closed: 4 } as const;

/** Pure: the snapshot of a moment, with rates against the previous snapshot. */
export function buildSnapshot({ peers, totals, target, startedAt, now, previous }: SnapshotInput): NetworkSnapshot {
  const list = [...peers];
  const ready = list.filter((p) => p.state === 'ready');
  // After stop every peer is closed; what they said while ready still makes the final summary.
  const counted = ready.length > 0 ? ready : list.filter(wasReadyAtEnd);
  const userAgents: Record<string, number> = {};
  for (const p of counted) {
    const ua = p.userAgent ?? '(none)';
    userAgents[ua] = (userAgents[ua] ?? 0) + 1;
  }
  const seconds = previous ? Math.max((now - previous.at) / 1000, 1e-3) : Math.max((now - startedAt) / 1000, 1e-3);
  const base = previous?.totals ?? { messagesIn: 0, messagesOut: 0, bytesIn: 0, bytesOut: 0 };
  const rate = (k: keyof typeof base) => Math.round(((totals[k] - base[k]) / seconds) * 10) / 10;
  const failed = Object.values(totals.failures).reduce((a, b) => a + (b ?? 0), 0);
  return {
    at: now,
    uptimeMs: now - startedAt,
    target,
    ready: ready.length,
    connecting: list.filter((p) => p.state === 'connecting' || p.state === 'handshaking').length,
    failed,
    handshakes: { succeeded: totals.handshakesSucceeded, failed: totals.handshakesFailed },
    addresses: { known: totals.known, tried: totals.tried },
    totals: { messagesIn: totals.messagesIn, messagesOut: totals.messagesOut, bytesIn: totals.bytesIn, bytesOut: totals.bytesOut },
    rates: { messagesIn: rate('messagesIn'), messagesOut: rate('messagesOut'), bytesIn: rate('bytesIn'), bytesOut: rate('bytesOut') },
    consensus: consensusHeight(counted.map((p) => p.bestHeight).filter((h): h is number => h !== undefined)),
    userAgents,
    failures: { ...totals.failures },
    peers: list.sort((a, b) => STATE_ORDER[a.state] - STATE_ORDER[b.state] || a.startedAt - b.startedAt),
  };
}

