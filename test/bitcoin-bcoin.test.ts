// The Bitcoin monitor against real bcoin 1.0.2 regtest nodes on 127.0.0.x: the proof that we speak the protocol.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bitcoin } from '@peerscope/bitcoin';
import { createMonitor, type Monitor, type NetworkSnapshot, type PeerEvent } from '@peerscope/engine';
import { startBcoinNetwork, type BcoinNetwork } from '@peerscope/simnet';
import { until } from './support/until.js';

const DECOY = '203.0.113.50:18444'; // TEST-NET-3: handed out by the nodes, must never be dialled

describe.each([
  ['piscina pool (1 thread)', 1],
  ['in-process (--threads 0)', 0],
])('Bitcoin monitor against bcoin regtest nodes, %s', (_name, threads) => {
  let network: BcoinNetwork;
  let monitor: Monitor;
  const events: PeerEvent[] = [];
  const snapshots: NetworkSnapshot[] = [];

  beforeAll(async () => {
    // Hosts 127.0.0.11-14 (pool) and .21-24 (in-process): the two suites may run at once.
    network = await startBcoinNetwork({ nodes: 4, firstHost: threads === 1 ? 11 : 21, extraAddresses: [DECOY] });
    await network.mine();
    monitor = createMonitor({
      ...bitcoin({ network: 'regtest', pingIntervalMs: 300 }),
      seeds: [network.addresses[0]], target: 3, threads, intervalMs: 200, allow: ['127.0.0.0/8'],
      backoff: { baseMs: 100, maxMs: 1_000 },
    });
    monitor.events$.subscribe((e) => events.push(e));
    monitor.stats$.subscribe((s) => snapshots.push(s));
    await monitor.start();
  });

  afterAll(async () => {
    await monitor?.stop();
    await network?.close();
  });

  const latest = () => snapshots.at(-1);

  it('completes the version handshake and reports bcoin as it describes itself', async () => {
    await until(() => events.some((e) => e.type === 'handshake'), 'a handshake');
    const hs = events.find((e) => e.type === 'handshake');
    expect(hs).toMatchObject({
      address: network.addresses[0],
      info: { version: 70015, userAgent: '/bcoin:v1.0.2/', services: ['NETWORK', 'WITNESS'], startHeight: 1 },
    });
    // What we sent, in Core's order: version first, then (on their version) sendaddrv2 and verack.
    const out = events.filter((e) => e.type === 'message' && e.dir === 'out' && e.peer === hs!.peer).map((e) => (e.type === 'message' ? e.command : ''));
    expect(out.slice(0, 3)).toEqual(['version', 'sendaddrv2', 'verack']);
    expect(out).toContain('getaddr');
    expect(out).toContain('sendheaders');
  });

  it('learns the other nodes through getaddr, keeps N ready, and dials only 127.0.0.0/8', async () => {
    await until(() => (latest()?.ready ?? 0) === 3, '3 ready peers');
    const learned = events.filter((e) => e.type === 'addresses').flatMap((e) => (e.type === 'addresses' ? e.addresses : []));
    expect(learned).toContain(DECOY);
    for (const a of network.addresses.slice(1)) expect(learned).toContain(a);
    const dialled = events.filter((e) => e.type === 'state' && e.state === 'connecting').map((e) => e.address);
    expect(dialled.every((a) => a.startsWith('127.'))).toBe(true);
    expect(dialled).not.toContain(DECOY);
    const snap = latest()!;
    expect(snap.addresses.known).toBeGreaterThanOrEqual(5); // 4 nodes + the decoy
    expect(snap.userAgents).toEqual({ '/bcoin:v1.0.2/': 3 });
  });

  it('measures ping RTT for every ready peer', async () => {
    await until(() => (latest()?.peers.filter((p) => p.state === 'ready' && p.pingMs !== undefined).length ?? 0) === 3, 'RTT on 3 peers');
    for (const p of latest()!.peers.filter((p) => p.state === 'ready')) {
      expect(p.pingMs).toBeGreaterThan(0);
      expect(p.minPingMs).toBeLessThanOrEqual(p.pingMs!);
      expect(p.byCommand.pong.messagesIn).toBeGreaterThanOrEqual(1);
    }
  });

  it('raises each peer\'s best height and the consensus height when a block is mined', async () => {
    await until(() => (latest()?.ready ?? 0) === 3, '3 ready peers');
    const before = network.height();
    const height = await network.mine();
    expect(height).toBe(before + 1);
    await until(() => latest()?.consensus?.height === height && latest()?.consensus?.peers === 3, `consensus at ${height} on 3 peers`);
    for (const p of latest()!.peers.filter((p) => p.state === 'ready')) expect(p.bestHeight).toBe(height);
    // Each ready peer announced the block by its hash (what the history store keeps for propagation).
    const hash = network.tipHash();
    await until(() => new Set(events.filter((e) => e.type === 'app' && e.name === 'block' && (e.data as { hash: string }).hash === hash).map((e) => e.peer)).size === 3, 'the block announced by 3 peers');
    const announcement = events.find((e) => e.type === 'app' && e.name === 'block' && (e.data as { hash: string }).hash === hash);
    expect(announcement).toMatchObject({ data: { hash, height } });
  });

  it('replaces a bcoin node killed mid-session and keeps N ready', async () => {
    await until(() => (latest()?.ready ?? 0) === 3, '3 ready peers');
    const readyAddresses = latest()!.peers.filter((p) => p.state === 'ready').map((p) => p.address);
    const victimIndex = network.addresses.findIndex((a) => readyAddresses.includes(a));
    const victim = network.addresses[victimIndex];
    await network.nodes[victimIndex].close();
    await until(() => events.some((e) => e.type === 'state' && e.state === 'failed' && e.address === victim), `failure of ${victim}`);
    await until(() => {
      const s = latest();
      return !!s && s.ready === 3 && !s.peers.some((p) => p.state === 'ready' && p.address === victim);
    }, '3 ready peers without the killed node');
    const failure = events.find((e) => e.type === 'state' && e.state === 'failed' && e.address === victim);
    expect(['closed-by-peer', 'reset']).toContain(failure?.type === 'state' ? failure.reason : undefined);
  });
});
