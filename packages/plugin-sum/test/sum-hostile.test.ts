import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Node, type NodeConnection } from '@peerscope/p2pnet';
import { NumberStore, SUM_LIMITS, SumNode } from '../src/index.js';
import { record } from '../../../test/support/reliability-record.js';

const T = 'packages/plugin-sum/test/sum-hostile.test.ts';

// Regression tests of issue 9's defects 1, 4 and 8: a hostile neighbour of a sum node, scaled down.
const dir = mkdtempSync(path.join(os.tmpdir(), 'sum-hostile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const nodes: Node[] = [];
const sums: SumNode[] = [];
afterEach(async () => {
  for (const s of sums.splice(0)) s.close();
  await Promise.all(nodes.splice(0).map((n) => n.stop()));
});

async function node(): Promise<Node> {
  const n = new Node({ host: '127.0.0.1', port: 0, settleMs: 0, threads: 0 });
  await n.start();
  nodes.push(n);
  return n;
}

async function sumNode(): Promise<SumNode> {
  const n = await node();
  const s = new SumNode(n, await NumberStore.open(path.join(dir, `${n.id.slice(0, 12)}.json`)));
  await s.add(5n);
  sums.push(s);
  return s;
}

async function link(a: Node, b: Node): Promise<NodeConnection> {
  const conn = await a.connectWithNode('127.0.0.1', b.port);
  await until(() => b.allNodes.length > 0, 'inbound side ready');
  return conn;
}

async function until(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Sends in slices so the hostile side never holds megabytes unsent (the engine would cut it as a flood). */
async function sendAll(from: Node, to: NodeConnection, messages: Iterable<Record<string, unknown>>, replies: () => number): Promise<number> {
  let sent = 0;
  for (const m of messages) {
    from.sendToNode(to, m);
    if (++sent % 500 === 0) await until(() => replies() >= sent - 500, `replies to ${sent - 500} requests`);
  }
  return sent;
}

describe('sum node under a hostile neighbour', () => {
  it('defect 1: request ids are length-checked and the seen-set is bounded by bytes and count', async () => {
    const victim = await sumNode();
    const hostile = await node();
    const conn = await link(hostile, victim.node);
    let replies = 0;
    hostile.on$('node-message').subscribe(() => replies++);
    // 1 MB ids (the attack grew RSS by ~150 MB/s): ignored outright, nothing retained.
    for (let i = 0; i < 20; i++) hostile.sendToNode(conn, { type: 'sum-request', rid: `${i}`.padEnd(1_000_000, 'x'), hops: 1, budget_ms: 1000 });
    // Then fresh ids of the longest allowed length, more than the byte cap holds.
    const rid = (i: number) => `r${i}-`.padEnd(SUM_LIMITS.maxRidLength, 'y');
    const fresh = 12_000;
    await sendAll(hostile, conn, (function* () {
      for (let i = 0; i < fresh; i++) yield { type: 'sum-request', rid: rid(i), hops: 1, budget_ms: 1000 };
    })(), () => replies);
    await until(() => replies >= fresh, 'every fresh request answered');
    const held = victim.held;
    expect(held.seenBytes).toBeLessThanOrEqual(SUM_LIMITS.seenMaxBytes);
    expect(held.seen).toBeLessThanOrEqual(SUM_LIMITS.seenMaxIds);
    expect(held.seen).toBeLessThan(fresh); // the byte cap, not the count, bit first
    expect(held.rounds).toBe(0);
    expect(replies).toBe(fresh); // the 1 MB ids got no answer at all
    record({ kind: 'sum: 1 MB request ids, then 12,000 fresh ids, defect 1', count: 20 + fresh, outcome: `ids over ${SUM_LIMITS.maxRidLength} chars ignored; seen-set ${held.seen} ids / ${held.seenBytes} bytes`, rssHighMB: Math.round(process.memoryUsage().rss / 1e6), test: T });
  }, 60_000);

  it('defect 4: the asker\'s own round cannot be evicted and taken over; the sum ends on time', async () => {
    const asker = await sumNode();
    const hostile = await node();
    const conn = await link(hostile, asker.node);
    let ownRid: string | undefined;
    let replies = 0;
    const repliesTo = new Map<string, unknown>();
    hostile.on$('node-message').subscribe(({ data }) => {
      const m = data as { type?: string; rid?: string };
      if (m.type === 'sum-request' && !ownRid) ownRid = m.rid;
      if (m.type === 'sum-reply') {
        replies++;
        if (m.rid) repliesTo.set(m.rid, m);
      }
    });
    const started = Date.now();
    const result = asker.requestSum({ timeoutMs: 3_000 });
    await until(() => ownRid !== undefined, 'the asker\'s request');
    // Evict it from the seen-set (more fresh ids than the set holds), then send it back as a request.
    const fresh = SUM_LIMITS.seenMaxIds + 1;
    await sendAll(hostile, conn, (function* () {
      for (let i = 0; i < fresh; i++) yield { type: 'sum-request', rid: `evict-${i}`, hops: 1, budget_ms: 1000 };
    })(), () => replies);
    hostile.sendToNode(conn, { type: 'sum-request', rid: ownRid!, hops: 1, budget_ms: 1000 });
    await until(() => repliesTo.has(ownRid!), 'an answer to the replayed id');
    expect(repliesTo.get(ownRid!)).toEqual({ type: 'sum-reply', rid: ownRid, results: [], missing: [] });
    const r = await result;
    expect(Date.now() - started).toBeLessThan(6_000);
    expect(r.total).toBe(5n);
    expect(r.missing).toEqual([hostile.id]);
    record({ kind: 'sum: asker\'s id evicted and replayed, defect 4', count: fresh + 1, outcome: 'replay answered empty; sum ends at its timeout', detectionMs: Date.now() - started, test: T });
  }, 60_000);

  it('defect 8: requests held open are bounded per neighbour, budgets clamped to 2^31-1 ms, dropped when the neighbour goes', async () => {
    const victim = await sumNode();
    const hostile = await node();
    const silent = await node(); // a neighbour that never answers sum requests
    await link(victim.node, silent);
    const conn = await link(hostile, victim.node);
    let replies = 0;
    hostile.on$('node-message').subscribe(() => replies++);
    const requests = 1_000;
    // A 23-day budget (over 2^31-1 ms: setTimeout would fire after 1 ms) and a 10^12 ms one.
    for (let i = 0; i < requests; i++) hostile.sendToNode(conn, { type: 'sum-request', rid: `held-${i}`, hops: 8, budget_ms: i === 0 ? 1e12 : 23 * 86_400_000 });
    await until(() => replies >= requests - SUM_LIMITS.maxRoundsPerPeer, 'the requests over the per-neighbour cap answered at once');
    await new Promise((r) => setTimeout(r, 100));
    expect(victim.held.rounds).toBe(SUM_LIMITS.maxRoundsPerPeer);
    expect(replies).toBe(requests - SUM_LIMITS.maxRoundsPerPeer);
    // An honest asker still gets its sum (its rounds are not counted against the hostile neighbour).
    const honest = await sumNode();
    await link(honest.node, victim.node);
    const r = await honest.requestSum({ timeoutMs: 1_500 });
    expect(r.nodes.has(victim.node.id)).toBe(true);
    // The hostile neighbour leaves: its rounds go with it, not in 23 days.
    await hostile.stop();
    await until(() => victim.held.rounds === 0, 'rounds of a gone neighbour dropped');
    record({ kind: 'sum: requests with 23-day budgets to a silent neighbour, defect 8', count: requests, outcome: `${SUM_LIMITS.maxRoundsPerPeer} held, rest answered empty; dropped when the sender left`, test: T });
  }, 60_000);
});
