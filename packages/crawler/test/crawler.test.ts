// The crawler against a few-hundred-node simulated network on loopback: every reachable node found
// from one seed, every unreachable one reported with its typed reason, hostile nodes with theirs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bitcoin } from '@peerscope/bitcoin';
import { loopbackHosts, startBitcoinSimnet, startHostilePeer, type BitcoinSimnet, type HostileBehaviour, type HostilePeer } from '@peerscope/simnet';
import { bitnodesSnapshot, crawl, crawlCsv, summarize, type CrawlProgress, type CrawlResult } from '../src/index.js';
import { csvFields } from './fixtures/csv.js';
import { startGossipPeer, type GossipPeer } from './fixtures/gossip-peer.js';

const EXPECTED_HOSTILE: Record<string, string> = {
  'bad-magic': 'bad-magic', 'bad-checksum': 'bad-checksum', garbage: 'bad-magic', malformed: 'malformed', stall: 'timeout-stall',
};
/** Hostile peers on their own (they never answer getaddr): how each ends, and whether it shook hands first. */
const STANDALONE: Partial<Record<HostileBehaviour, { status: 'reachable' | 'unreachable'; reason: string }>> = {
  'never-verack': { status: 'unreachable', reason: 'timeout-handshake' },
  silent: { status: 'unreachable', reason: 'timeout-handshake' },
  'self-connection': { status: 'unreachable', reason: 'self-connection' },
  'huge-user-agent': { status: 'unreachable', reason: 'malformed' },
  'bad-magic': { status: 'reachable', reason: 'bad-magic' },
  garbage: { status: 'reachable', reason: 'bad-magic' },
  stall: { status: 'reachable', reason: 'timeout-stall' },
  'reset-mid-message': { status: 'reachable', reason: 'reset' },
};
const ONION = '2gzyxa5ihm7nsggfxnu52rck2vv4rvmdlkiu3zzui5du4xyclen53wid.onion';
const I2P = 'ukeu3k5oycgaauneqgtnvselmt4yemvoilkln7jpvamvfx7dnkdq.b32.i2p';

describe('crawling a 300-node simnet from one seed', () => {
  const N = 300;
  let simnet: BitcoinSimnet;
  let gossip: GossipPeer;
  let dead: string[];
  const hostile = new Map<string, HostileBehaviour>();
  const hostilePeers: HostilePeer[] = [];
  let result: CrawlResult;
  const progress: CrawlProgress[] = [];
  let handshakes = 0;

  beforeAll(async () => {
    simnet = await startBitcoinSimnet({ peers: N, baseHost: '127.81.0.1', hostileFraction: 0.05, laggingFraction: 0.1, startHeight: 7 });
    const port = Number(simnet.addresses[0].split(':')[1]);
    // Loopback hosts on which nothing listens: learned, dialled, refused.
    dead = loopbackHosts('127.82.0.1', 4).map((h) => `${h}:${port}`);
    for (const b of Object.keys(STANDALONE) as HostileBehaviour[]) {
      const peer = await startHostilePeer(b, '127.82.2.1');
      hostilePeers.push(peer);
      hostile.set(`127.82.2.1:${peer.port}`, b);
    }
    gossip = await startGossipPeer('127.82.1.1', [
      ...[...hostile.keys()].map((a) => ({ network: 'ipv4' as const, host: '127.82.2.1', port: Number(a.split(':')[1]) })),
      { network: 'ipv4', host: simnet.addresses[0].split(':')[0], port },
      ...dead.map((d) => ({ network: 'ipv4' as const, host: d.split(':')[0], port })),
      { network: 'ipv4', host: '192.0.2.7', port: 8333 }, // outside --allow: recorded, never dialled (the guard would fail the test)
      { network: 'ipv6', host: '2001:db8::7', port: 8333 },
      { network: 'torv3', host: ONION, port: 8333 },
      { network: 'i2p', host: I2P, port: 0 },
      { network: 'cjdns', host: 'fc32:17ea:e415:c3bf:9808:149d:b5a2:c9aa', port: 8333 },
    ]);
    const crawler = crawl({
      ...bitcoin({ network: 'regtest' }), seeds: [gossip.address], threads: 1, concurrency: 32, allow: ['127.0.0.0/8'],
      timeouts: { connectMs: 2_000, handshakeMs: 2_000, stallMs: 1_000 }, addrWaitMs: 3_000, progressIntervalMs: 50,
    });
    crawler.progress$.subscribe((p) => progress.push(p));
    crawler.events$.subscribe((e) => (e.type === 'handshake' ? handshakes++ : 0));
    result = await crawler.run();
  }, 60_000);

  afterAll(async () => {
    await gossip?.close();
    for (const h of hostilePeers) await h.close();
    await simnet?.close();
  });

  it('finds and handshakes every sim node, and ends because nothing is left', () => {
    expect(result.ended).toBe('done');
    const byAddress = new Map(result.nodes.map((n) => [n.address, n]));
    for (const [i, address] of simnet.addresses.entries()) {
      const node = byAddress.get(address);
      expect(node, address).toBeDefined();
      expect(node!.status, address).toBe('reachable');
      expect(node!.info).toMatchObject({ version: 70016, userAgent: simnet.peers[i].userAgent, startHeight: 7 - simnet.peers[i].lag });
      expect(node!.handshakeMs).toBeGreaterThanOrEqual(0);
      // Honest nodes answered getaddr (20 addresses each) and were hung up by us.
      if (!simnet.peers[i].hostile) expect(node, address).toMatchObject({ addressesReturned: 20 });
    }
  });

  it('reports every address nothing listens on as refused, and records what it may not dial', () => {
    const byAddress = new Map(result.nodes.map((n) => [n.address, n]));
    for (const d of dead) expect(byAddress.get(d)).toMatchObject({ status: 'unreachable', reason: 'refused', source: 'learned' });
    for (const a of ['192.0.2.7:8333', '[2001:db8::7]:8333']) expect(byAddress.get(a), a).toMatchObject({ status: 'skipped', reason: 'not-allowed' });
    // Tor, I2P and CJDNS need a proxy or an overlay router: recorded, never dialled.
    for (const a of [`${ONION}:8333`, `${I2P}:0`, '[fc32:17ea:e415:c3bf:9808:149d:b5a2:c9aa]:8333']) {
      expect(byAddress.get(a), a).toMatchObject({ status: 'skipped', reason: 'overlay' });
    }
    expect(result.progress).toMatchObject({ skipped: 5, reachable: N + 1 + 4, failed: dead.length + 4, tried: N + 1 + dead.length + 8, inFlight: 0, queued: 0, dropped: 0 });
  });

  it('hostile nodes end with their typed reasons, within their timeouts', () => {
    const byAddress = new Map(result.nodes.map((n) => [n.address, n]));
    for (const [address, b] of hostile) expect(byAddress.get(address), `${address} ${b}`).toMatchObject(STANDALONE[b]!);
    // Sim peers that misbehave only after answering getaddr were hung up first; any that did not get the chance end with theirs.
    const simHostile = simnet.peers.filter((p) => p.hostile);
    expect(simHostile.length).toBe(15);
    for (const p of simHostile) {
      const node = byAddress.get(p.address)!;
      expect(node.status).toBe('reachable');
      if (node.reason) expect(node.reason, `${p.address} ${p.hostile}`).toBe(EXPECTED_HOSTILE[p.hostile!]);
    }
    // Three hops of timeouts at most (seed, gossip, hostile): the hostile ones never held the crawl up longer.
    expect(result.endedAt - result.startedAt).toBeLessThan(12_000);
  });

  it('summarises agents, versions, services, heights, failures and networks', () => {
    const s = summarize(result);
    expect(s).toMatchObject({
      found: N + 1 + dead.length + 8 + 5, reachable: N + 1 + 4, unreachable: dead.length + 4, skipped: 5, untried: 0, latestHeight: 7,
      byProtocolVersion: { 70016: N + 1 + 4 },
      unreachableByReason: { refused: dead.length, 'timeout-handshake': 2, 'self-connection': 1, malformed: 1 },
      skippedByReason: { overlay: 3, 'not-allowed': 2 },
      byUserAgent: { '/simnet:0.1.0/': 150, '/simnet:0.2.0/': 75, '/simnet:0.2.1(lite)/': 75, '/gossip:1.0/': 1 },
      heights: { 0: N - 30, 1: 30, '2-5': 5 }, // the gossip and hostile peers say 5
      addressesByNetwork: { ipv4: N + 1 + dead.length + 8 + 1, ipv6: 1, onion: 1, i2p: 1, cjdns: 1 },
    });
    expect(s.byServices['NETWORK|WITNESS|NETWORK_LIMITED']).toBe(N);
    expect(s.endedByReason).toMatchObject({ 'bad-magic': expect.any(Number), 'timeout-stall': expect.any(Number), reset: 1 });
    expect(s.handshakeMs.p50).not.toBeNull();
  });

  it('writes a bitnodes snapshot and a CSV that agree', () => {
    const snapshot = JSON.parse(JSON.stringify(bitnodesSnapshot(result)));
    expect(snapshot).toMatchObject({ total_nodes: N + 1 + 4, latest_height: 7 });
    expect(Object.keys(snapshot.nodes)).toHaveLength(N + 1 + 4);
    const entry = snapshot.nodes[simnet.addresses[0]];
    expect(entry).toHaveLength(13);
    expect(entry.slice(0, 2)).toEqual([70016, simnet.peers[0].userAgent]);
    expect(entry[3]).toBe(1 + 8 + 1024);
    expect(entry.slice(5)).toEqual(Array(8).fill(null));
    expect(Object.keys(snapshot.unreachable_nodes)).toHaveLength(dead.length + 4);
    for (const d of dead) expect(snapshot.unreachable_nodes[d]).toEqual(['refused', expect.any(String)]);

    const lines = crawlCsv(result).trimEnd().split('\r\n');
    const header = csvFields(lines[0]);
    const rows = lines.slice(1).map((l) => Object.fromEntries(csvFields(l).map((v, i) => [header[i], v])));
    expect(rows).toHaveLength(result.nodes.length);
    const reachable = rows.filter((r) => r.status === 'reachable');
    expect(reachable.map((r) => r.address).sort()).toEqual(Object.keys(snapshot.nodes).sort());
    for (const r of reachable) {
      const [version, agent, since, services, height] = snapshot.nodes[r.address];
      expect([Number(r.protocol_version), r.user_agent, Number(r.connected_since), Number(r.services), Number(r.height)]).toEqual([version, agent, since, services, height]);
    }
    for (const r of rows.filter((x) => x.status === 'unreachable')) expect(snapshot.unreachable_nodes[r.address][0]).toBe(r.reason);
  });

  it('reported progress while it ran, never over the concurrency, and a final record', () => {
    expect(progress.length).toBeGreaterThan(2);
    expect(Math.max(...progress.map((p) => p.inFlight))).toBeLessThanOrEqual(32);
    expect(progress.at(-1)).toMatchObject({ reachable: N + 1 + 4, inFlight: 0, etaMs: 0 });
    expect(progress.at(-1)!.handshakesPerSecond).toBeGreaterThan(0);
    // events$: every dial's events, for a recorder or a view (a handshake event per version received, hostile ones too).
    expect(handshakes).toBeGreaterThanOrEqual(N + 1 + 4);
  });

  it('stops at --max-nodes and counts what a full queue dropped', async () => {
    const r = await crawl({
      ...bitcoin({ network: 'regtest' }), seeds: [simnet.addresses[1]], threads: 0, concurrency: 4, maxNodes: 10, maxQueue: 8,
      allow: ['127.0.0.0/8'], timeouts: { stallMs: 1_000 },
    }).run();
    expect(r.ended).toBe('max-nodes');
    expect(r.progress.tried).toBe(10);
    expect(r.progress.dropped).toBeGreaterThan(0);
    expect(r.nodes.filter((n) => n.status === 'queued').length).toBeLessThanOrEqual(8);
  });

  it('the same network crawled again gives the same snapshot (timings aside)', async () => {
    const again = await crawl({
      ...bitcoin({ network: 'regtest' }), seeds: [gossip.address], threads: 0, concurrency: 64, allow: ['127.0.0.0/8'],
      timeouts: { connectMs: 2_000, handshakeMs: 2_000, stallMs: 1_000 },
    }).run();
    // A sim peer that misbehaves after its handshake answers getaddr only when it came in the verack's read, and may be
    // hung up before it misbehaves: its end and its answer are a race by design.
    const simHostile = new Set(simnet.peers.filter((p) => p.hostile).map((p) => p.address));
    const view = (r: CrawlResult) => r.nodes
      .map((n) => [n.address, n.status, n.info?.version, n.info?.userAgent, n.info?.startHeight, ...(simHostile.has(n.address) ? [] : [n.reason ?? '', n.addressesReturned ?? 0])].join(' '))
      .sort();
    expect(view(again)).toEqual(view(result));
    const strip = (x: ReturnType<typeof bitnodesSnapshot>) => ({ ...x, timestamp: 0, nodes: Object.fromEntries(Object.entries(x.nodes).map(([k, v]) => [k, [...v.slice(0, 2), 0, ...v.slice(3)]])) });
    const a = strip(bitnodesSnapshot(again));
    const b = strip(bitnodesSnapshot(result));
    for (const x of [a, b]) for (const k of Object.keys(x.unreachable_nodes)) x.unreachable_nodes[k] = [x.unreachable_nodes[k][0], null];
    expect(a).toEqual(b);
  });

  it('stop() ends a crawl at once and keeps what it found', async () => {
    const crawler = crawl({ ...bitcoin({ network: 'regtest' }), seeds: [simnet.addresses[2]], threads: 0, concurrency: 8, allow: ['127.0.0.0/8'] });
    const running = crawler.run();
    setTimeout(() => crawler.stop(), 150);
    const r = await running;
    expect(r.ended).toBe('stopped');
    expect(r.progress.inFlight).toBe(0);
    expect(r.nodes.some((n) => n.status === 'reachable')).toBe(true);
  });
});

describe('an address flood', () => {
  it('is bounded by maxKnown; what did not fit is counted as dropped', async () => {
    const flood = await startHostilePeer('addr-flood', '127.82.3.1');
    try {
      const r = await crawl({
        ...bitcoin({ network: 'regtest' }), seeds: [`127.82.3.1:${flood.port}`], threads: 0, allow: ['127.0.0.0/8'], maxKnown: 300, addrWaitMs: 1_000,
      }).run();
      expect(r.nodes.length).toBe(300);
      expect(r.progress.found).toBe(300);
      expect(r.progress.dropped).toBeGreaterThan(0);
      expect(r.nodes[0]).toMatchObject({ status: 'reachable', addressesReturned: expect.any(Number) });
      expect(r.nodes[0].addressesReturned!).toBeGreaterThanOrEqual(1_000);
    } finally {
      await flood.close();
    }
  });
});

describe('addresses no public node can have', () => {
  it('with no --allow, gossiped private and reserved addresses are recorded as non-routable, never dialled', async () => {
    // The loopback guard of this process fails the test if any of these is dialled.
    const privates = [
      { network: 'ipv4' as const, host: '10.1.2.3', port: 8333 },
      { network: 'ipv4' as const, host: '192.168.1.20', port: 8333 },
      { network: 'ipv4' as const, host: '100.64.0.9', port: 8333 },
      { network: 'ipv4' as const, host: '169.254.3.3', port: 8333 },
      { network: 'ipv6' as const, host: 'fe80::1', port: 8333 },
      { network: 'ipv6' as const, host: 'fd12:3456::1', port: 8333 },
    ];
    const gossip = await startGossipPeer('127.82.4.1', [...privates, { network: 'ipv4', host: '127.82.4.2', port: 8333 }]);
    try {
      // A loopback seed: the network is local, so the gossiped loopback address is dialled (refused).
      const local = await crawl({ ...bitcoin({ network: 'regtest' }), seeds: [gossip.address], threads: 0, addrWaitMs: 1_000 }).run();
      const byAddress = new Map(local.nodes.map((n) => [n.address, n]));
      for (const p of privates) expect(byAddress.get(p.host.includes(':') ? `[${p.host}]:8333` : `${p.host}:8333`), p.host).toMatchObject({ status: 'skipped', reason: 'non-routable' });
      expect(byAddress.get('127.82.4.2:8333')).toMatchObject({ status: 'unreachable', reason: 'refused' });
      expect(local.progress).toMatchObject({ tried: 2, skipped: privates.length });
    } finally {
      await gossip.close();
    }
  });
});
