import { describe, expect, it } from 'vitest';
import { AddressTally, buildSnapshot, consensusHeight, EMPTY_TOTALS, reducePeer, reduceTotals, StatsCollector, KEEP_ENDED_PEERS, type PeerEvent, type PeerEventBody, type PeerState, type PeerStats } from '../src/index.js';

let clock = 1_000;
const ev = (peer: string, body: PeerEventBody): PeerEvent => ({ ...body, peer, address: `127.0.0.${peer.slice(1)}:8333`, at: (clock += 10) } as PeerEvent);

function feed(events: PeerEvent[]) {
  const c = new StatsCollector();
  events.forEach(c.apply);
  return c;
}

const readyPeer = (id: string, ua: string, start: number): PeerEvent[] => [
  ev(id, { type: 'state', state: 'connecting' }),
  ev(id, { type: 'state', state: 'handshaking' }),
  ev(id, { type: 'handshake', info: { version: 70015, userAgent: ua, services: ['NETWORK', 'WITNESS'], startHeight: start } }),
  ev(id, { type: 'state', state: 'ready' }),
];

describe('per-peer reducer', () => {
  it('is pure: never mutates the previous stats', () => {
    const a = reducePeer(undefined, ev('p1', { type: 'state', state: 'connecting' }));
    const frozen = JSON.stringify(a);
    const b = reducePeer(a, ev('p1', { type: 'message', dir: 'in', command: 'ping', bytes: 32, count: 1 }));
    expect(JSON.stringify(a)).toBe(frozen);
    expect(b).not.toBe(a);
    expect(b.byCommand.ping).toEqual({ messagesIn: 1, messagesOut: 0, bytesIn: 32, bytesOut: 0 });
  });

  it('tracks handshake facts, best height, ping, traffic by command, addresses and inv', () => {
    const events = [
      ...readyPeer('p1', '/bcoin:v1.0.2/', 100),
      ev('p1', { type: 'rtt', ms: 4 }),
      ev('p1', { type: 'rtt', ms: 2 }),
      ev('p1', { type: 'rtt', ms: 3 }),
      ev('p1', { type: 'height', height: 101 }),
      ev('p1', { type: 'height', height: 99 }),
      ev('p1', { type: 'message', dir: 'out', command: 'ping', bytes: 32, count: 1 }),
      ev('p1', { type: 'message', dir: 'in', command: 'pong', bytes: 32, count: 1 }),
      ev('p1', { type: 'message', dir: 'in', command: 'inv', bytes: 61, count: 1 }),
      ev('p1', { type: 'message', dir: 'in', command: 'inv', bytes: 122, count: 2 }), // two in one read
      ev('p1', { type: 'addresses', addresses: ['127.0.0.9:8333', '[::1]:8333'] }),
      ev('p1', { type: 'inv', counts: { block: 1, tx: 2 } }),
      ev('p1', { type: 'inv', counts: { block: 1 } }),
    ];
    const p = feed(events).peers.get('p1')!;
    expect(p).toMatchObject({
      state: 'ready', version: 70015, userAgent: '/bcoin:v1.0.2/', services: ['NETWORK', 'WITNESS'], startHeight: 100,
      bestHeight: 101, pingMs: 3, minPingMs: 2, messagesIn: 4, messagesOut: 1, bytesIn: 215, bytesOut: 32,
      addressesLearned: 2, inv: { block: 2, tx: 2 },
    });
    expect(p.byCommand.inv).toEqual({ messagesIn: 3, messagesOut: 0, bytesIn: 183, bytesOut: 0 });
  });
});

describe('network totals and snapshot', () => {
  it('counts handshakes, failures by reason, known and tried addresses', () => {
    const tally = new AddressTally();
    let t = EMPTY_TOTALS;
    const apply = (e: PeerEvent, before?: PeerState) => (t = reduceTotals(t, e, { ...tally.record(e), before }));
    apply(ev('p1', { type: 'state', state: 'connecting' }));
    apply(ev('p1', { type: 'addresses', addresses: ['10.0.0.1:8333', '127.0.0.5:8333', 'id9@10.0.0.1:8333'] }), 'ready');
    apply(ev('p1', { type: 'state', state: 'failed', reason: 'timeout-handshake' }), 'handshaking');
    apply(ev('p2', { type: 'state', state: 'connecting' }));
    apply(ev('p2', { type: 'state', state: 'failed', reason: 'refused' }), 'connecting');
    apply({ ...ev('p3', { type: 'state', state: 'connecting' }), address: '127.0.0.1:8333' }); // p1's address again: not new
    expect(t.handshakesFailed).toBe(1);
    expect(t.failures).toEqual({ 'timeout-handshake': 1, refused: 1 });
    expect(t.known).toBe(4); // 127.0.0.1, 127.0.0.2, 10.0.0.1 (with or without a key), 127.0.0.5
    expect(t.tried).toBe(2);
    expect(EMPTY_TOTALS.known).toBe(0);
  });

  it('reduceTotals is pure', () => {
    const e = ev('p1', { type: 'message', dir: 'in', command: 'inv', bytes: 10, count: 2 });
    const after = reduceTotals(EMPTY_TOTALS, e, { newlyKnown: 0, newlyTried: 0 });
    expect(after).not.toBe(EMPTY_TOTALS);
    expect(EMPTY_TOTALS.messagesIn).toBe(0);
    expect(after.messagesIn).toBe(2);
  });

  it('consensus height is the most common best height of ready peers, ties to the higher', () => {
    expect(consensusHeight([5, 7, 7, 5, 9])).toEqual({ height: 7, peers: 2 });
    expect(consensusHeight([])).toBeNull();
  });

  it('builds a snapshot with rates against the previous one and user-agent distribution', () => {
    const c = feed([
      ...readyPeer('p1', '/bcoin:v1.0.2/', 10),
      ...readyPeer('p2', '/bcoin:v1.0.2/', 10),
      ...readyPeer('p3', '/Satoshi:27.0.0/', 12),
      ev('p4', { type: 'state', state: 'connecting' }),
    ]);
    const first = buildSnapshot({ peers: c.peers.values(), totals: c.totals, target: 8, startedAt: 0, now: 10_000 });
    for (let i = 0; i < 50; i++) c.apply(ev('p1', { type: 'message', dir: 'in', command: 'inv', bytes: 100, count: 1 }));
    const second = buildSnapshot({ peers: c.peers.values(), totals: c.totals, target: 8, startedAt: 0, now: 15_000, previous: first });
    expect(second).toMatchObject({ target: 8, ready: 3, connecting: 1, consensus: { height: 10, peers: 2 }, userAgents: { '/bcoin:v1.0.2/': 2, '/Satoshi:27.0.0/': 1 } });
    expect(second.rates.messagesIn).toBe(10);
    expect(second.rates.bytesIn).toBe(1000);
    expect(second.peers.map((p) => p.id)).toEqual(['p1', 'p2', 'p3', 'p4']);
    expect(JSON.parse(JSON.stringify(second)).ready).toBe(3);
  });

  it('forgets the oldest ended peers so memory stays bounded', () => {
    const c = new StatsCollector();
    for (let i = 0; i < KEEP_ENDED_PEERS * 3; i++) {
      c.apply(ev(`p${i}`, { type: 'state', state: 'connecting' }));
      c.apply(ev(`p${i}`, { type: 'state', state: 'failed', reason: 'refused' }));
    }
    expect(c.peers.size).toBe(KEEP_ENDED_PEERS);
    expect(c.totals.failures.refused).toBe(KEEP_ENDED_PEERS * 3);
  });
});

export type { PeerStats };
