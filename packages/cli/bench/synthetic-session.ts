// The session both live-view benches draw: N peers fed through the engine's statistics and the run
// ledger as events (one in twenty refused, the rest ready with a handshake, an RTT and some traffic).
import { RunLedger, StatsCollector, type PeerEvent } from '@peerscope/engine';

export const syntheticAddress = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}:8333`;

export function syntheticSession(n: number, startedAt: number) {
  const stats = new StatsCollector();
  const ledger = new RunLedger(startedAt);
  let at = startedAt;
  /** One more event, stamped one ms after the last. */
  const feed = (body: object, i: number) => {
    const e = { ...body, peer: `p${i}`, address: syntheticAddress(i), at: (at += 1) } as PeerEvent;
    stats.apply(e);
    ledger.apply(e);
  };
  for (let i = 0; i < n; i++) {
    feed({ type: 'state', state: 'connecting' }, i);
    if (i % 20 === 0) {
      feed({ type: 'state', state: 'failed', reason: 'refused' }, i);
      continue;
    }
    feed({ type: 'state', state: 'handshaking' }, i);
    feed({ type: 'handshake', info: { version: 70016, userAgent: `/Satoshi:2${i % 8}.0.0/`, services: ['NETWORK', 'WITNESS', 'NETWORK_LIMITED'], startHeight: 900_000 + (i % 3) } }, i);
    feed({ type: 'state', state: 'ready' }, i);
    feed({ type: 'rtt', ms: 20 + (i % 200) }, i);
    feed({ type: 'message', dir: 'in', command: 'inv', bytes: 61 * (1 + (i % 5)), count: 1 + (i % 5) }, i);
    feed({ type: 'message', dir: 'out', command: 'ping', bytes: 32, count: 1 }, i);
  }
  return { stats, ledger, feed };
}
