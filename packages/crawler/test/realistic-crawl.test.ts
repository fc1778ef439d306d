// The crawler on the realistic simnet (packages/simnet's seeded plan): every planned node found from
// one seed and read as the plan says, every stale address refused, non-routable and overlay addresses
// recorded and never dialled (the loopback guard would fail the test), hostile nodes ended with their
// typed reasons, and the same network crawled twice giving the same snapshot.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bitcoin, serviceNames } from '@peerscope/bitcoin';
import { addrAnswer, gossipEntries, staleAddresses, startRealisticSimnet, type RealisticSimnet } from '@peerscope/simnet';
import { bitnodesSnapshot, crawl, crawlCsv, summarize, type CrawlResult } from '../src/index.js';

/** How a node of each hostile kind ends a crawl's dial: it shakes hands, then misbehaves. */
const ENDS: Record<string, string> = { stall: 'timeout-stall', garbage: 'bad-magic', 'bad-checksum': 'bad-checksum' };
const TIMEOUTS = { connectMs: 2_000, handshakeMs: 2_000, stallMs: 1_500 };

describe('crawling a realistic 400-node simnet from one seed', () => {
  let simnet: RealisticSimnet;
  let result: CrawlResult;
  const crawlIt = () => crawl({ ...bitcoin({ network: 'regtest' }), seeds: [simnet.seeds[0]], threads: 1, concurrency: 64, timeouts: TIMEOUTS, addrWaitMs: 2_000 }).run();

  beforeAll(async () => {
    simnet = await startRealisticSimnet({ seed: 11, nodes: 400, baseHost: '127.86.0.1', latencyMs: [5, 40], hostile: { stall: 0.02, garbage: 0.02, 'bad-checksum': 0.01 } });
    result = await crawlIt();
  }, 60_000);

  afterAll(async () => {
    await simnet?.close();
  });

  it('finds every planned node and reads each one as planned; ends because nothing is left', () => {
    expect(result.ended).toBe('done');
    const byAddress = new Map(result.nodes.map((n) => [n.address, n]));
    for (const planned of simnet.nodes) {
      const node = byAddress.get(planned.address);
      expect(node, planned.address).toBeDefined();
      expect(node!.status, planned.address).toBe('reachable');
      expect(node!.info, planned.address).toMatchObject({
        version: planned.version, userAgent: planned.userAgent, startHeight: simnet.height() - planned.lag, services: serviceNames(BigInt(planned.services)),
      });
      // Up to 1,000 in a large network; here the whole plan and some of the pools. Nodes older than
      // BIP155 (70016) answer with addr, which cannot carry Tor, I2P or CJDNS addresses.
      const entries = gossipEntries(simnet.nodes, planned.index, 11, 0);
      const answer = planned.version >= 70016 ? entries : addrAnswer(entries).addresses;
      if (!planned.hostile) expect(node, planned.address).toMatchObject({ addressesReturned: answer.length });
    }
  });

  it('hostile nodes end with their typed reasons', () => {
    const byAddress = new Map(result.nodes.map((n) => [n.address, n]));
    const hostile = simnet.nodes.filter((n) => n.hostile);
    expect(hostile.length).toBeGreaterThanOrEqual(15);
    for (const n of hostile) expect(byAddress.get(n.address), `${n.address} ${n.hostile}`).toMatchObject({ status: 'reachable', reason: ENDS[n.hostile!] });
  });

  it('every stale address it heard of is refused; non-routable and overlay ones are recorded, never dialled', () => {
    const stale = new Set(staleAddresses(simnet.nodes));
    const planned = new Set(simnet.nodes.map((n) => n.address));
    const s = summarize(result);
    let staleSeen = 0;
    for (const n of result.nodes) {
      if (planned.has(n.address)) continue;
      if (stale.has(n.address)) {
        staleSeen++;
        expect(n, n.address).toMatchObject({ status: 'unreachable', reason: 'refused' });
      } else {
        expect(n.status, n.address).toBe('skipped');
        expect(['non-routable', 'overlay'], n.address).toContain(n.reason);
        expect(n.reason === 'overlay').toBe(['onion', 'i2p', 'cjdns'].includes(n.network));
      }
    }
    expect(staleSeen).toBe(stale.size); // 1,000 answers of 1,000 entries hear the whole pool
    expect(s).toMatchObject({ reachable: 400, unreachable: stale.size, unreachableByReason: { refused: stale.size }, untried: 0 });
    expect(s.skippedByReason).toEqual({ overlay: expect.any(Number), 'non-routable': expect.any(Number) });
    expect(s.addressesByNetwork).toMatchObject({ ipv4: expect.any(Number), ipv6: expect.any(Number), onion: expect.any(Number), i2p: expect.any(Number), cjdns: expect.any(Number) });
  });

  it('the JSON snapshot and the CSV agree', () => {
    const snapshot = bitnodesSnapshot(result);
    expect(Object.keys(snapshot.nodes).sort()).toEqual(simnet.nodes.map((n) => n.address).sort());
    const lines = crawlCsv(result).trimEnd().split('\r\n');
    expect(lines).toHaveLength(result.nodes.length + 1);
    const reachableRows = lines.slice(1).filter((l) => l.includes(',reachable,'));
    expect(reachableRows).toHaveLength(400);
  });

  it('the same network crawled again gives the same snapshot (timings aside)', async () => {
    const again = await crawlIt();
    const strip = (r: CrawlResult) => {
      const x = bitnodesSnapshot(r);
      return { ...x, timestamp: 0, nodes: Object.fromEntries(Object.entries(x.nodes).map(([k, v]) => [k, [...v.slice(0, 2), 0, ...v.slice(3)]])) };
    };
    expect(strip(again)).toEqual(strip(result));
    const view = (r: CrawlResult) => r.nodes.map((n) => `${n.address} ${n.status} ${n.reason ?? ''}`).sort();
    expect(view(again)).toEqual(view(result));
  }, 60_000);
});
