// The final summary's memory: the whole run, not the last snapshot's kept peers.
import { describe, expect, it } from 'vitest';
import { KEEP_ENDED_PEERS, reduceOutcome, RunLedger, StatsCollector, type PeerEvent, type PeerEventBody } from '../src/index.js';

let clock = 1_000;
const ev = (peer: string, address: string, body: PeerEventBody): PeerEvent => ({ ...body, peer, address, at: (clock += 10) } as PeerEvent);

function connection(id: string, address: string, end: PeerEventBody | undefined, ua = '/x:1/'): PeerEvent[] {
  const out = [
    ev(id, address, { type: 'state', state: 'connecting' }),
    ev(id, address, { type: 'state', state: 'handshaking' }),
  ];
  if (end?.type === 'state' && end.state === 'failed') return [...out, ev(id, address, end)];
  out.push(ev(id, address, { type: 'handshake', info: { userAgent: ua } }), ev(id, address, { type: 'state', state: 'ready' }),
    ev(id, address, { type: 'message', dir: 'in', command: 'ping', bytes: 32, count: 1 }));
  if (end) out.push(ev(id, address, end));
  return out;
}

describe('run ledger', () => {
  it('reduceOutcome is pure', () => {
    const a = reduceOutcome(undefined, ev('p1', '10.0.0.1:8333', { type: 'state', state: 'connecting' }));
    const frozen = JSON.stringify(a);
    const b = reduceOutcome(a, ev('p1', '10.0.0.1:8333', { type: 'state', state: 'failed', reason: 'refused' }));
    expect(JSON.stringify(a)).toBe(frozen);
    expect(b).toMatchObject({ attempts: 1, state: 'failed', reason: 'refused' });
  });

  it('describes every address of the run, past what the stats keep, with attempts; failures count peers', () => {
    const ledger = new RunLedger(1_000);
    const stats = new StatsCollector();
    const feed = (events: PeerEvent[]) => events.forEach((e) => { ledger.apply(e); stats.apply(e); });
    // 100 addresses that fail, each twice (retried): 200 failed attempts, 100 failed peers.
    for (let i = 0; i < 100; i++) {
      const a = `10.0.${i >> 8}.${i & 255}:8333`;
      feed(connection(`f${i}a`, a, { type: 'state', state: 'failed', reason: 'refused' }));
      feed(connection(`f${i}b`, a, { type: 'state', state: 'failed', reason: i % 2 ? 'refused' : 'timeout-connect' }));
    }
    // 5 ready, then 2 of them drop, then a 6th: peak 5... then 4 ready at stop.
    for (let i = 0; i < 5; i++) feed(connection(`r${i}`, `10.1.0.${i}:8333`, undefined));
    feed([ev('r0', '10.1.0.0:8333', { type: 'state', state: 'failed', reason: 'closed-by-peer' })]);
    feed([ev('r1', '10.1.0.1:8333', { type: 'state', state: 'failed', reason: 'timeout-stall' })]);
    feed(connection('r5', '10.1.0.5:8333', undefined));
    for (const i of [2, 3, 4, 5]) feed([ev(`r${i}`, `10.1.0.${i}:8333`, { type: 'state', state: 'closed', reason: 'stopped' })]);

    const s = ledger.summary(clock);
    expect(stats.peers.size).toBeLessThanOrEqual(KEEP_ENDED_PEERS);
    expect(s.peersSeen).toBe(106);
    expect(s.peers).toHaveLength(106);
    expect(s.attempts).toBe(206);
    expect(s.peakReady).toBe(5);
    expect(s.finalReady).toBe(4);
    expect(s.outcome).toEqual({ ready: 0, closed: 4, failed: 102, active: 0, everReady: 6 });
    expect(s.failures).toEqual({ refused: 50, 'timeout-connect': 50, 'closed-by-peer': 1, 'timeout-stall': 1 });
    expect(s.failedAttempts).toEqual({ refused: 150, 'timeout-connect': 50, 'closed-by-peer': 1, 'timeout-stall': 1 });
    expect(s.peers.find((p) => p.address === '10.0.0.3:8333')).toMatchObject({ attempts: 2, state: 'failed', reason: 'refused', everReady: false });
    expect(s.peers.find((p) => p.address === '10.1.0.2:8333')).toMatchObject({ attempts: 1, state: 'closed', reason: 'stopped', everReady: true, userAgent: '/x:1/', messagesIn: 1 });
    expect(s.totals.messagesIn).toBe(6);
    expect(s.durationMs).toBe(clock - 1_000);
    expect(s.rates.messagesIn).toBeCloseTo(6 / ((clock - 1_000) / 1000), 1);
  });

  it('stays bounded: past the cap, addresses are counted without a row', () => {
    const ledger = new RunLedger(0, 10);
    for (let i = 0; i < 25; i++) connection(`p${i}`, `10.2.0.${i}:1`, { type: 'state', state: 'failed', reason: 'refused' }).forEach(ledger.apply);
    const s = ledger.summary(clock);
    expect(s.peers).toHaveLength(10);
    expect(s.untrackedPeers).toBe(15);
    expect(s.peersSeen).toBe(25);
    expect(s.failures).toEqual({ refused: 25 });
  });
});
