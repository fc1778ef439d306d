// The stats pipeline: batches folded by the reducers, sampled each interval, shared by every subscriber.
import { Subject, type Observable } from 'rxjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  conflate, createMonitor, EMPTY_TOTALS, KEEP_ENDED_PEERS, reducePeer, reduceStats, reduceTotals, AddressTally, SESSION_EVENTS,
  StatsCollector, foldPeer, type Executor, type NetworkSnapshot, type PeerEvent, type PeerStats, type StatsState, type Totals,
} from '../src/index.js';

/** A deterministic generator (mulberry32): the same mix of events on every run. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const COMMANDS = ['ping', 'pong', 'inv', 'headers', 'addr', 'getdata'];

/** A session's events: peers connect, handshake, talk, and some fail or close; a few session events. */
function session(seed: number, peers: number, count: number): PeerEvent[] {
  const r = random(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
  const out: PeerEvent[] = [];
  const state = new Map<string, string>();
  let at = 1_000;
  for (let i = 0; i < count; i++) {
    at += Math.floor(r() * 3);
    const n = Math.floor(r() * peers);
    const peer = `p${n}`;
    const address = `127.0.${n >> 8}.${n & 255}:8333`;
    const base = { peer, address, at };
    const s = state.get(peer);
    const x = r();
    if (x < 0.01) {
      out.push({ ...base, peer: SESSION_EVENTS, address: '', type: 'addresses', addresses: [`10.0.0.${Math.floor(r() * 20)}:8333`, `k@10.0.1.${Math.floor(r() * 5)}:8333`] });
    } else if (s === undefined) {
      state.set(peer, 'connecting');
      out.push({ ...base, type: 'state', state: 'connecting' });
    } else if (s === 'connecting') {
      const fail = r() < 0.1;
      state.set(peer, fail ? 'ended' : 'handshaking');
      out.push(fail ? { ...base, type: 'state', state: 'failed', reason: 'refused' } : { ...base, type: 'state', state: 'handshaking' });
    } else if (s === 'handshaking') {
      if (r() < 0.5) {
        out.push({ ...base, type: 'handshake', info: { version: 70015, userAgent: pick(['/a/', '/b/']), startHeight: Math.floor(r() * 10) } });
      } else {
        const fail = r() < 0.1;
        state.set(peer, fail ? 'ended' : 'ready');
        out.push({ ...base, type: 'state', state: fail ? 'failed' : 'ready', ...(fail && { reason: 'timeout-handshake' }) });
      }
    } else if (s === 'ready') {
      if (x < 0.8) out.push({ ...base, type: 'message', dir: r() < 0.5 ? 'in' : 'out', command: pick(COMMANDS), bytes: 24 + Math.floor(r() * 100), count: 1 + Math.floor(r() * 2) });
      else if (x < 0.86) out.push({ ...base, type: 'rtt', ms: r() * 50 });
      else if (x < 0.9) out.push({ ...base, type: 'height', height: Math.floor(r() * 20) });
      else if (x < 0.93) out.push({ ...base, type: 'inv', counts: { tx: 1 + Math.floor(r() * 3), ...(r() < 0.3 && { block: 1 }) } });
      else if (x < 0.96) out.push({ ...base, type: 'addresses', addresses: [`10.0.0.${Math.floor(r() * 40)}:8333`] });
      else if (x < 0.97) out.push({ ...base, type: 'app', name: 'x', data: 1 });
      else if (x < 0.985) {
        state.set(peer, 'ended');
        out.push({ ...base, type: 'state', state: r() < 0.5 ? 'closed' : 'failed', reason: r() < 0.5 ? 'stopped' : 'reset' });
      }
    } else if (r() < 0.3) {
      state.delete(peer); // the id comes back: a new connection under an old name starts afresh
    }
  }
  return out;
}

/** The pre-batch collector, event by event through reducePeer and reduceTotals: the reference. */
function reference(events: PeerEvent[]): { peers: Map<string, PeerStats>; totals: Totals } {
  const peers = new Map<string, PeerStats>();
  const tally = new AddressTally();
  const ended: string[] = [];
  let totals = EMPTY_TOTALS;
  for (const event of events) {
    const fresh = tally.record(event);
    if (event.peer === SESSION_EVENTS) {
      totals = reduceTotals(totals, event, fresh);
      continue;
    }
    const before = peers.get(event.peer);
    peers.set(event.peer, reducePeer(before, event));
    totals = reduceTotals(totals, event, { ...fresh, before: before?.state });
    const active = (s?: string) => s === 'connecting' || s === 'handshaking' || s === 'ready';
    if (event.type === 'state' && !active(event.state) && (before === undefined || active(before.state))) {
      ended.push(event.peer);
      while (ended.length > KEEP_ENDED_PEERS) peers.delete(ended.shift()!);
    }
  }
  return { peers, totals };
}

function split<T>(xs: T[], r: () => number, max: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; ) {
    const n = 1 + Math.floor(r() * max);
    out.push(xs.slice(i, i + n));
    i += n;
  }
  return out;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

const plain = (state: StatsState) => ({ peers: Object.fromEntries(state.peers), totals: state.totals });

describe('folding batches', () => {
  it('gives what the reducers give event by event, whatever the batch sizes and reads between them (and forgets the same ended peers)', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const events = session(seed, 150, 6_000);
      const want = reference(events);
      expect(want.peers.size).toBeLessThan(150); // ended peers were forgotten: the bound is exercised
      for (const max of [1, 7, 64, 1_000]) {
        const c = new StatsCollector();
        const r = random(seed * 31 + max);
        for (const batch of split(events, r, max)) {
          c.applyBatch(batch);
          if (r() < 0.2) void (r() < 0.5 ? c.peers : c.totals); // a read seals the drafts: later events copy anew
        }
        expect(plain(c)).toEqual({ peers: Object.fromEntries(want.peers), totals: want.totals });
      }
    }
  });

  it('never changes what an earlier state held: snapshots taken between batches stay as they were', () => {
    const events = session(9, 40, 3_000);
    const c = new StatsCollector();
    const taken: Array<{ peers: PeerStats[]; totals: Totals; json: string }> = [];
    for (const batch of split(events, random(99), 50)) {
      c.applyBatch(batch);
      const peers = [...c.peers.values()];
      // Frozen deep: a fold that wrote into a PeerStats, byCommand entry, inv or failures it did not
      // copy first would throw here (modules are strict).
      deepFreeze(peers);
      deepFreeze(c.totals);
      taken.push({ peers, totals: c.totals, json: JSON.stringify({ peers, totals: c.totals }) });
    }
    for (const t of taken) expect(JSON.stringify({ peers: t.peers, totals: t.totals })).toBe(t.json);
  });

  it('reducePeer and foldPeer never write into the stats they are given (frozen, they would throw)', () => {
    const events = session(11, 5, 2_000).filter((e) => e.peer !== SESSION_EVENTS);
    const one = new Map<string, PeerStats>();
    const many = new Map<string, PeerStats>();
    const r = random(5);
    for (const batch of split(events, r, 6)) {
      for (const e of batch) one.set(e.peer, reducePeer(deepFreeze(one.get(e.peer)), e));
      const byPeer = new Map<string, PeerEvent[]>();
      for (const e of batch) byPeer.set(e.peer, [...(byPeer.get(e.peer) ?? []), e]);
      for (const [peer, evs] of byPeer) many.set(peer, foldPeer(deepFreeze(many.get(peer)), evs)!);
    }
    expect(Object.fromEntries(many)).toEqual(Object.fromEntries(one));
  });

  it('copies a peer once per read in which it changed, not once per event', () => {
    const at = 1;
    const msg = (peer: string, command: string): PeerEvent => ({ type: 'message', dir: 'in', command, bytes: 10, count: 1, peer, address: 'a:1', at });
    const c = new StatsCollector();
    c.applyBatch([{ type: 'state', state: 'connecting', peer: 'p1', address: 'a:1', at }, { type: 'state', state: 'connecting', peer: 'p2', address: 'b:1', at }]);
    const p1 = c.peers.get('p1')!;
    const p2 = c.peers.get('p2')!;
    const t1 = c.totals;
    c.applyBatch([msg('p1', 'inv'), msg('p1', 'inv')]);
    c.applyBatch([msg('p1', 'tx'), msg('p1', 'inv')]);
    expect(p1.messagesIn).toBe(0); // what was read stays as it was
    expect(t1.messagesIn).toBe(0);
    const after = c.peers.get('p1')!;
    expect(after).not.toBe(p1);
    expect(c.peers.get('p2')).toBe(p2); // untouched peers keep their object
    expect(after.byCommand).toEqual({ inv: { messagesIn: 3, messagesOut: 0, bytesIn: 30, bytesOut: 0 }, tx: { messagesIn: 1, messagesOut: 0, bytesIn: 10, bytesOut: 0 } });
    expect(p1.byCommand).toEqual({});
    c.applyBatch([msg('p1', 'tx')]);
    expect(after.byCommand.tx.messagesIn).toBe(1);
    expect(c.peers.get('p1')!.byCommand.tx.messagesIn).toBe(2);
    expect(foldPeer(p1, [msg('p1', 'inv'), msg('p1', 'inv')])).toEqual(reducePeer(reducePeer(p1, msg('p1', 'inv')), msg('p1', 'inv')));
  });

  it('keeps what peers name (commands, inventory kinds) as rows: __proto__ and constructor too', () => {
    const at = 1;
    const c = new StatsCollector();
    const base = { peer: 'p1', address: 'a:1', at };
    c.applyBatch([
      { ...base, type: 'message', dir: 'in', command: '__proto__', bytes: 24, count: 1 },
      { ...base, type: 'message', dir: 'in', command: 'constructor', bytes: 24, count: 2 },
      { ...base, type: 'message', dir: 'out', command: 'toString', bytes: 24, count: 1 },
      { ...base, type: 'inv', counts: JSON.parse('{"__proto__": 2, "hasOwnProperty": 1}') as Record<string, number> },
    ]);
    const p = c.peers.get('p1')!;
    c.applyBatch([{ ...base, type: 'message', dir: 'in', command: '__proto__', bytes: 24, count: 1 }]);
    const q = c.peers.get('p1')!;
    expect(Object.keys(q.byCommand)).toEqual(['__proto__', 'constructor', 'toString']);
    expect(JSON.parse(JSON.stringify(q.byCommand))).toEqual(JSON.parse('{"__proto__": {"messagesIn": 2, "messagesOut": 0, "bytesIn": 48, "bytesOut": 0}, "constructor": {"messagesIn": 2, "messagesOut": 0, "bytesIn": 24, "bytesOut": 0}, "toString": {"messagesIn": 0, "messagesOut": 1, "bytesIn": 0, "bytesOut": 24}}'));
    expect(Object.keys(p.inv)).toEqual(['__proto__', 'hasOwnProperty']);
    expect(q.messagesIn).toBe(4);
    expect(({} as Record<string, unknown>).messagesIn).toBeUndefined();
    expect((Object as unknown as Record<string, unknown>).messagesIn).toBeUndefined();
  });
});

describe('reduceStats', () => {
  it('keeps one accumulator per subscription: subscribers never share or corrupt state', () => {
    const batches = new Subject<readonly PeerEvent[]>();
    const reduced = batches.pipe(reduceStats());
    const states: StatsState[] = [];
    const early = reduced.subscribe((s) => (states[0] = s));
    const events = session(3, 20, 400);
    batches.next(events.slice(0, 200));
    const late = reduced.subscribe((s) => (states[1] = s));
    batches.next(events.slice(200));
    expect(states[0]).not.toBe(states[1]);
    expect(plain(states[0])).toEqual(plain(new StatsCollector().applyBatch(events)));
    expect(plain(states[1])).toEqual(plain(new StatsCollector().applyBatch(events.slice(200))));
    early.unsubscribe();
    late.unsubscribe();
  });
});

/** An executor without peers: the test hands it batches, as a worker's messages would. */
class BatchExecutor implements Executor {
  readonly batches = new Subject<readonly PeerEvent[]>();
  readonly batches$ = this.batches.asObservable();
  readonly events$ = new Subject<PeerEvent>().asObservable();
  spawn(): never {
    throw new Error('no peers here');
  }
  listen(): never {
    throw new Error('no listeners here');
  }
  peer() {
    return undefined;
  }
  async collectGarbage(): Promise<void> {}
  async close(): Promise<void> {
    this.batches.complete();
  }
}

const traffic = (n: number, at: number, peer = 'p1'): PeerEvent[] =>
  Array.from({ length: n }, () => ({ type: 'message', dir: 'in', command: 'inv', bytes: 100, count: 1, peer, address: '127.0.0.1:8333', at }) as PeerEvent);

function monitorOn(executor: BatchExecutor, intervalMs: number) {
  return createMonitor({ protocol: 'unused', config: {}, defaultPort: 1, target: 0, executor, intervalMs });
}

function collect<T>(source: Observable<T>): { values: T[]; done: boolean } {
  const out = { values: [] as T[], done: false };
  source.subscribe({ next: (v) => out.values.push(v), complete: () => (out.done = true) });
  return out;
}

describe('Monitor: the reporter as a pipeline', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('emits every interval (quiet ones too), rates over the time since the previous snapshot, one shared stream', async () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const executor = new BatchExecutor();
    const monitor = monitorOn(executor, 1_000);
    const a = collect(monitor.stats$);
    const b = collect(monitor.stats$);
    const peers = collect(monitor.peers$);
    await monitor.start();
    executor.batches.next([{ type: 'state', state: 'connecting', peer: 'p1', address: '127.0.0.1:8333', at: Date.now() }]);
    for (let t = 0; t < 10; t++) {
      executor.batches.next(traffic(50, Date.now()));
      await vi.advanceTimersByTimeAsync(100);
    }
    expect(a.values.map((s) => s.rates.messagesIn)).toEqual([500]);
    expect(monitor.snapshot().rates.messagesIn).toBe(0); // snapshot() reads; its base stays the last emitted one
    await vi.advanceTimersByTimeAsync(2_000); // quiet: still a snapshot each interval, rates fall to zero
    expect(a.values.map((s) => s.rates.messagesIn)).toEqual([500, 0, 0]);
    expect(a.values.map((s) => s.uptimeMs)).toEqual([1_000, 2_000, 3_000]);
    expect(b.values).toEqual(a.values);
    b.values.forEach((s, i) => expect(s).toBe(a.values[i])); // built once, the same object for every subscriber
    expect(peers.values.map((p) => p.map((x) => x.id))).toEqual([['p1'], ['p1'], ['p1']]);

    const late = collect(monitor.stats$);
    expect(late.values).toEqual([a.values.at(-1)]); // a late subscriber gets the latest at once

    executor.batches.next(traffic(30, Date.now()));
    await vi.advanceTimersByTimeAsync(500);
    const final = await monitor.stop();
    expect(final.totals.messagesIn).toBe(530);
    expect(final.rates.messagesIn).toBe(60); // 30 over the 0.5 s since the last emitted snapshot
    expect(a.values.at(-1)).toBe(final);
    expect(a.done && b.done && late.done && peers.done).toBe(true);
    expect(peers.values).toHaveLength(3); // the final snapshot is stats$'s; peers$ stops with the interval
    const after = collect(monitor.stats$);
    expect(after).toEqual({ values: [final], done: true });
  });

  it("merges learn()'s session events with the executor's batches, for stats and events$ alike", async () => {
    const executor = new BatchExecutor();
    const monitor = monitorOn(executor, 60_000);
    const events = collect(monitor.events$);
    monitor.learn(['10.0.0.1:8333', 'k@10.0.0.2:8333']);
    executor.batches.next(traffic(3, 5));
    expect(events.values.map((e) => e.type)).toEqual(['addresses', 'message', 'message', 'message']);
    expect(monitor.snapshot()).toMatchObject({ addresses: { known: 2 }, totals: { messagesIn: 3 } });
    const final = await monitor.stop();
    expect(final.totals.messagesIn).toBe(3);
    expect(events.done).toBe(true);
  });

  it('stop without start still gives a final snapshot and completes', async () => {
    const monitor = monitorOn(new BatchExecutor(), 1_000);
    const stats = collect(monitor.stats$);
    const final = await monitor.stop();
    expect(stats).toEqual({ values: [final], done: true });
    expect(await monitor.stop()).toBe(final);
  });
});

describe('Monitor: slow subscribers never hold the engine back', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('a view busy for 2.3 intervals gets the newest snapshot each time it is free; intake and the other views go on', async () => {
    vi.useFakeTimers({ now: 2_000_000 });
    const executor = new BatchExecutor();
    const monitor = monitorOn(executor, 1_000);
    const fast = collect(monitor.stats$);
    const busy: NetworkSnapshot[] = [];
    let working = 0;
    let busyDone = false;
    monitor.stats$
      .pipe(
        conflate((s: NetworkSnapshot) => {
          busy.push(s);
          working++;
          return new Promise<void>((r) => setTimeout(() => (working--, r()), 2_300));
        }),
      )
      .subscribe({ complete: () => (busyDone = true) });
    await monitor.start();
    let sent = 0;
    for (let t = 0; t < 105; t++) {
      executor.batches.next(traffic(20, Date.now()));
      sent += 20;
      // The batch is in the state the moment it arrives, busy view or not: nothing queues it.
      expect(monitor.snapshot().totals.messagesIn).toBe(sent);
      await vi.advanceTimersByTimeAsync(100);
    }
    expect(working).toBeLessThanOrEqual(1);
    // Ticks at 1..10 s; the view takes 1 s, busy till 3.3 s: 2 and 3 came meanwhile, only 3 is kept; …
    const index = (s: NetworkSnapshot) => fast.values.indexOf(s) + 1;
    expect(fast.values).toHaveLength(10);
    expect(busy.map(index)).toEqual([1, 3, 5, 7, 10]);
    // The fast view saw every interval's full rate: the busy one slowed nothing.
    expect(fast.values.map((s) => s.rates.messagesIn)).toEqual(Array(10).fill(200));
    const stopping = monitor.stop();
    await vi.advanceTimersByTimeAsync(5_000);
    const final = await stopping;
    expect(busy.at(-1)).toBe(final); // the final snapshot still reaches the busy view, after its current work
    expect(busyDone).toBe(true);
  });

  it('a view that blocks the thread longer than the interval builds no backlog: ticks it overlapped are skipped, every batch is taken', async () => {
    const executor = new BatchExecutor();
    const monitor = monitorOn(executor, 20);
    const seen: Array<{ at: number; received: number }> = [];
    const BLOCK_MS = 100;
    const sub = monitor.stats$.subscribe((s) => {
      seen.push({ at: s.at, received: Date.now() });
      const until = Date.now() + BLOCK_MS;
      while (Date.now() < until); // a view stuck in synchronous work
    });
    await monitor.start();
    let sent = 0;
    const started = Date.now();
    // A producer on its own timer, as a worker's messages would arrive.
    await new Promise<void>((resolve) => {
      const feed = setInterval(() => {
        executor.batches.next(traffic(10, Date.now()));
        sent += 10;
        expect(monitor.snapshot().totals.messagesIn).toBe(sent);
        if (Date.now() - started > 700) {
          clearInterval(feed);
          resolve();
        }
      }, 2);
    });
    sub.unsubscribe();
    const elapsed = Date.now() - started;
    // 35 ticks' worth of time; the view could take one snapshot per BLOCK_MS at most, and got no more.
    expect(seen.length).toBeLessThanOrEqual(Math.ceil(elapsed / BLOCK_MS) + 1);
    expect(seen.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < seen.length; i++) {
      // No burst of queued ticks after a block: each snapshot was built after the previous view call ended.
      expect(seen[i].at - seen[i - 1].at).toBeGreaterThanOrEqual(BLOCK_MS);
      expect(seen[i].received - seen[i].at).toBeLessThan(BLOCK_MS / 2);
    }
    const final = await monitor.stop();
    expect(final.totals.messagesIn).toBe(sent);
  });
});

export type { PeerStats };
