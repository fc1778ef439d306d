// Hostile Bitcoin peers: each is failed with its typed reason and bounded memory while the session,
// and an honest bcoin peer beside them, carry on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bitcoin } from '@peerscope/bitcoin';
import { createMonitor, type FailureReason, type Monitor, type PeerEvent } from '@peerscope/engine';
import { startBcoinNode, startHostilePeer, freePort, type BcoinNode, type HostileBehaviour, type HostilePeer } from '@peerscope/simnet';
import { until } from './support/until.js';

const EXPECTED: Record<HostileBehaviour, FailureReason> = {
  'bad-magic': 'bad-magic',
  'bad-checksum': 'bad-checksum',
  oversize: 'oversize',
  garbage: 'bad-magic', // random bytes where a header should be: the magic is the first thing checked
  malformed: 'malformed',
  stall: 'timeout-stall',
  'no-read-flood': 'flood',
};

describe('hostile Bitcoin peers', () => {
  let honest: BcoinNode;
  const hostile = new Map<HostileBehaviour, HostilePeer>();
  let monitor: Monitor;
  const events: PeerEvent[] = [];

  beforeAll(async () => {
    honest = await startBcoinNode({ host: '127.0.0.31', port: await freePort('127.0.0.31', true) });
    for (const b of Object.keys(EXPECTED) as HostileBehaviour[]) hostile.set(b, await startHostilePeer(b, '127.0.0.32'));
    monitor = createMonitor({
      ...bitcoin({ network: 'regtest', pingIntervalMs: 200 }),
      seeds: [`127.0.0.31:${honest.port}`, ...[...hostile.values()].map((h) => `127.0.0.32:${h.port}`)],
      target: hostile.size + 1, threads: 1, intervalMs: 200, timeouts: { stallMs: 1_000 },
      backoff: { baseMs: 60_000, maxMs: 60_000 }, // fail once each, no retries during the test
    });
    monitor.events$.subscribe((e) => events.push(e));
    await monitor.start();
  });

  afterAll(async () => {
    await monitor?.stop();
    await Promise.all([...hostile.values()].map((h) => h.close()));
    await honest?.close();
  });

  const failureOf = (port: number) => {
    const e = events.find((e) => e.type === 'state' && e.state === 'failed' && e.address === `127.0.0.32:${port}`);
    return e?.type === 'state' ? e : undefined;
  };

  it('fails every hostile peer with the right typed reason', async () => {
    await until(() => [...hostile.values()].every((h) => failureOf(h.port)), 'every hostile peer failed');
    for (const [behaviour, peer] of hostile) {
      expect(failureOf(peer.port)?.reason, behaviour).toBe(EXPECTED[behaviour]);
      // Each failed only after an honest handshake: the reason is about what came after.
      expect(events.some((e) => e.type === 'handshake' && e.address === `127.0.0.32:${peer.port}`), behaviour).toBe(true);
    }
  });

  it('keeps memory bounded: an oversize header is refused at once, not buffered', async () => {
    const peer = hostile.get('oversize')!;
    await peer.closed;
    // It was ready to stream 64 MB; we hung up after the header, long before that.
    expect(peer.sentAfterHandshake[0]).toBeLessThan(16 * 1024 * 1024);
  });

  it('keeps the honest bcoin peer ready the whole time', async () => {
    await until(() => monitor.snapshot().peers.some((p) => p.state === 'ready' && p.userAgent === '/bcoin:v1.0.2/' && (p.pingMs ?? 0) > 0), 'bcoin ready with RTT');
    const honestFailures = events.filter((e) => e.type === 'state' && e.state === 'failed' && e.address.startsWith('127.0.0.31:'));
    expect(honestFailures).toEqual([]);
    const snap = monitor.snapshot();
    expect(snap.failed).toBe(hostile.size);
    expect(snap.ready).toBe(1);
  });
});
