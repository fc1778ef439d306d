// Issue 9, section 1: the Bitcoin hostile kinds beyond test/bitcoin-hostile.test.ts, all at once in one
// session beside an honest bcoin peer. Each ends with its typed reason within its timeout (or, for the
// kinds that are legal but abusive, stays connected with what it could make us hold bounded), the honest
// peer's statistics keep updating, and the session's memory stays bounded.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bitcoin } from '@peerscope/bitcoin';
import { createMonitor, type FailureReason, type Monitor, type PeerEvent } from '@peerscope/engine';
import { startBcoinNode, startHostilePeer, freePort, type BcoinNode, type HostileBehaviour, type HostilePeer } from '@peerscope/simnet';
import { until } from './support/until.js';
import { record } from './support/reliability-record.js';

/** What each kind must end as: a failure reason, or 'ready' for a peer that stays (bounded). */
const EXPECTED: Partial<Record<HostileBehaviour, FailureReason | 'ready'>> = {
  // A reset is seen as such, unless a busy worker reads the half frame and its stall timer fires first.
  'reset-mid-message': 'reset',
  'never-verack': 'timeout-handshake',
  silent: 'timeout-handshake',
  'self-connection': 'self-connection',
  'huge-user-agent': 'malformed',
  // Legal but abusive: kept, with what they can make us hold bounded (address book, queues, buffers).
  'addr-flood': 'ready',
  'ping-flood': 'ready',
  'inv-flood': 'ready',
  'version-twice': 'ready', // Core ignores a duplicate version (and scores it)
  'non-utf8-user-agent': 'ready', // kept, its user agent recorded with the bad bytes replaced
  'verack-before-version': 'ready', // Core ignores the early verack; so do we, and the late one completes it
};
const HANDSHAKE_MS = 2_000;
const STALL_MS = 1_000;

describe('hostile Bitcoin peers, section 1 kinds', () => {
  let honest: BcoinNode;
  const hostile = new Map<HostileBehaviour, HostilePeer>();
  let monitor: Monitor;
  const events: PeerEvent[] = [];
  const started = Date.now();
  let rssHigh = 0;
  let sampler: NodeJS.Timeout;

  beforeAll(async () => {
    honest = await startBcoinNode({ host: '127.0.0.41', port: await freePort('127.0.0.41', true) });
    for (const b of Object.keys(EXPECTED) as HostileBehaviour[]) hostile.set(b, await startHostilePeer(b, '127.0.0.42'));
    monitor = createMonitor({
      ...bitcoin({ network: 'regtest', pingIntervalMs: 200 }),
      seeds: [`127.0.0.41:${honest.port}`, ...[...hostile.values()].map((h) => `127.0.0.42:${h.port}`)],
      target: hostile.size + 1, threads: 1, intervalMs: 200, timeouts: { stallMs: STALL_MS, handshakeMs: HANDSHAKE_MS },
      allow: ['127.0.0.41/32', '127.0.0.42/32'], // the addr flood's 10.x addresses are recorded, never dialled
      backoff: { baseMs: 60_000, maxMs: 60_000 },
    });
    monitor.events$.subscribe((e) => events.push(e));
    sampler = setInterval(() => (rssHigh = Math.max(rssHigh, process.memoryUsage().rss)), 50);
    await monitor.start();
  }, 60_000);

  afterAll(async () => {
    clearInterval(sampler);
    await monitor?.stop();
    await Promise.all([...hostile.values()].map((h) => h.close()));
    await honest?.close();
  });

  const at = (b: HostileBehaviour) => `127.0.0.42:${hostile.get(b)!.port}`;
  const failureOf = (b: HostileBehaviour) => {
    const e = events.find((e) => e.type === 'state' && e.state === 'failed' && e.address === at(b));
    return e?.type === 'state' ? e : undefined;
  };
  const readyOf = (b: HostileBehaviour) => events.some((e) => e.type === 'state' && e.state === 'ready' && e.address === at(b));

  it('each failing kind ends with its typed reason within its timeout', async () => {
    const failing = (Object.entries(EXPECTED) as [HostileBehaviour, string][]).filter(([, r]) => r !== 'ready');
    await until(() => failing.every(([b]) => failureOf(b)), 'every failing kind failed', 30_000);
    for (const [b, reason] of failing) {
      const f = failureOf(b)!;
      if (b === 'reset-mid-message') expect(['reset', 'timeout-stall'], b).toContain(f.reason);
      else expect(f.reason, b).toBe(reason);
      expect(f.at - started, `${b}: time to detection`).toBeLessThan(HANDSHAKE_MS + 5_000);
      const connected = events.find((e) => e.type === 'state' && e.state === 'connecting' && e.address === at(b));
      record({ kind: `bitcoin ${b}`, count: 1, outcome: `failed: ${f.reason}`, detectionMs: f.at - (connected?.at ?? started), rssHighMB: Math.round(rssHigh / 1e6), test: 'test/reliability-bitcoin-hostile.test.ts' });
    }
  }, 60_000);

  it('the abusive-but-legal kinds stay connected, with bounded memory, while the honest peer keeps updating', async () => {
    const staying = (Object.entries(EXPECTED) as [HostileBehaviour, string][]).filter(([, r]) => r === 'ready').map(([b]) => b);
    await until(() => staying.every(readyOf), 'every staying kind ready', 45_000);
    // Let the floods arrive (addr: 50,000 entries; inv: 2 million announcements; 20,000 pings).
    await until(() => hostile.get('inv-flood')!.sentAfterHandshake[0] >= 40 * 1_800_027, 'inv flood sent', 60_000);
    await new Promise((r) => setTimeout(r, 1_000));
    for (const b of staying) expect(failureOf(b), b).toBeUndefined();
    const snap = monitor.snapshot();
    const row = (b: HostileBehaviour) => snap.peers.find((p) => p.address === at(b));
    expect(row('non-utf8-user-agent')?.userAgent).toMatch(/\uFFFD/);
    // The honest peer's RTT keeps being measured during the floods.
    const rtts = () => events.filter((e) => e.type === 'rtt' && e.address === `127.0.0.41:${honest.port}`).length;
    const before = rtts();
    await until(() => rtts() >= before + 3, 'honest RTT updates', 15_000);
    expect(snap.peers.find((p) => p.address === `127.0.0.41:${honest.port}`)?.state).toBe('ready');
    // Bounded: nothing of the floods is retained beyond the caps (the whole test process, workers included).
    expect(rssHigh).toBeLessThan(1_000 * 1024 * 1024);
    for (const b of staying) record({ kind: `bitcoin ${b}`, count: 1, outcome: 'kept (bounded)', rssHighMB: Math.round(rssHigh / 1e6), test: 'test/reliability-bitcoin-hostile.test.ts' });
  }, 150_000);

  it('a trickling (slowloris) peer is failed as timeout-stall once its unfinished message comes too slowly', async () => {
    // One byte every 200 ms of a 32-byte ping: every byte is news, so idleness alone never fails it;
    // the unfinished message's rate (5 B/s, under MIN_TRICKLE_BYTES_PER_S) does, after the stall time.
    const trickle = await startHostilePeer('trickle', '127.0.0.43');
    const m = createMonitor({
      ...bitcoin({ network: 'regtest', pingIntervalMs: 60_000 }), seeds: [`127.0.0.43:${trickle.port}`], target: 1, threads: 0,
      intervalMs: 200, timeouts: { stallMs: STALL_MS, handshakeMs: HANDSHAKE_MS }, backoff: { baseMs: 60_000, maxMs: 60_000 },
    });
    const seen: PeerEvent[] = [];
    m.events$.subscribe((e) => seen.push(e));
    await m.start();
    try {
      await until(() => seen.some((e) => e.type === 'state' && e.state === 'ready'), 'trickle ready', 5_000);
      await until(() => seen.some((e) => e.type === 'state' && e.state === 'failed'), 'trickle failed', 4 * STALL_MS);
      const failed = seen.find((e) => e.type === 'state' && e.state === 'failed');
      expect(failed).toMatchObject({ reason: 'timeout-stall' });
      expect((failed as { detail?: string }).detail).toMatch(/^trickle: \d+ bytes in \d+ ms/);
    } finally {
      await m.stop();
      await trickle.close();
    }
  }, 30_000);
});
