/**
 * The stats pipeline's cost per event: synthetic PeerEvents from 10,000 peers through the Monitor's
 * whole reporter (intake → reducers folded per batch → sampled each interval → snapshot), on this
 * thread and across a worker boundary, against baselines measured in the same run.
 *
 *   node --import tsx --conditions=source bench/stats-pipeline.ts     (from the repository root; env PEERS, RUNS, WINDOW_MS, BATCH, ROWS)
 *
 * The mix (bench/support/stats-session.ts), after every peer has connected and handshaken: what one
 * socket read or timer of a random peer produces, its events adjacent: mostly `message` (ping/pong
 * both ways, inv + getdata, tx, headers, addr), `rtt` with each pong, `height` with headers, `inv`
 * counts, occasional `addresses`, and now and then a peer that fails and is replaced (`state`,
 * `handshake`).
 *
 * In-process rows push pre-built batches of BATCH events and yield to the event loop after each one (as
 * the in-process executor delivers a batch per turn), so the reporting interval's timer runs:
 * - floor: a plain `Subject<PeerEvent>.next` per event to one subscriber that does nothing;
 * - per-event reducers: what the monitor did before (a Subject per event; the reducers of then, in
 *   bench/support/legacy-stats.ts, for every event into a Map; snapshot on setInterval);
 * - pipeline: `createMonitor` on an executor whose `batches$` is fed the batches, with a stats$
 *   subscriber.
 * Worker rows: a worker thread builds events and pushes them one by one into the engine's EventBatcher,
 * which posts one batch per turn, as a pool worker does: either `{type: 'events', events}` (PeerEvent
 * arrays, structured clone) or packed by EventPacker; the main thread (unpacks and) hands each batch to
 * PeerRegistry.deliver (what the PoolExecutor does) and the pipeline. The worker runs on credit
 * (CREDITS = 64 batches in flight), so the main thread is kept busy but never flooded: events/s is
 * what the main thread takes, when other processes leave it a core. The floor rows receive and drop.
 * Every row with a Monitor includes its PeerKeeper (target 0: it sees every event, dials nothing).
 * Main-thread CPU is read from /proc/self/task/<pid>/stat (GC on the main thread included).
 * Writes bench/results/stats-pipeline.md.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { Subject } from 'rxjs';
import { EventUnpacker, type PackedEvents } from '../packages/engine/src/event-batcher.js';
import type { Executor, WorkerReport } from '../packages/engine/src/executor.js';
import {
  AddressTally, buildSnapshot, createMonitor, EMPTY_TOTALS, KEEP_ENDED_PEERS, SESSION_EVENTS,
  StatsCollector, type PeerEvent, type PeerStats, type Totals,
} from '../packages/engine/src/index.js';
import { PeerRegistry } from '../packages/engine/src/peer-registry.js';
import { legacyReducePeer, legacyReduceTotals } from './support/legacy-stats.js';
import { Session, type ToWorker, type WorkerSetup } from './support/stats-session.js';

const PEERS = Number(process.env.PEERS ?? 10_000);
const RUNS = Number(process.env.RUNS ?? 5);
const WINDOW_MS = Number(process.env.WINDOW_MS ?? 2_000);
const BATCH = Number(process.env.BATCH ?? 256);
const INTERVAL_MS = 1_000;
const POOL_EVENTS = 300_000;
const CREDITS = Number(process.env.CREDITS ?? 64);
const WORKER = new URL('./support/stats-pipeline-worker.cjs', import.meta.url);

function batches(events: PeerEvent[], size: number): PeerEvent[][] {
  const out: PeerEvent[][] = [];
  for (let i = 0; i < events.length; i += size) out.push(events.slice(i, i + size));
  return out;
}

// ---- measuring ----

/** CPU seconds of this process's main thread (Linux: utime + stime of the thread whose tid is the pid). */
function mainThreadCpuS(): number {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

interface Result {
  eventsPerS: number;
  /** Main-thread CPU per event, µs. */
  cpuUsPerEvent: number;
  /** Main-thread CPU over the window, % of one core. */
  cpuPct: number;
  snapshots: number;
}

const turn = () => new Promise<void>((r) => setImmediate(r));

/** Feeds batches (one per event-loop turn) to `deliver` for WINDOW_MS after a warm-up. */
async function drive(pool: PeerEvent[][], deliver: (batch: PeerEvent[]) => void, snapshots: () => number): Promise<Result> {
  let k = 0;
  const warm = performance.now() + 300;
  while (performance.now() < warm) {
    deliver(pool[k++ % pool.length]);
    await turn();
  }
  let events = 0;
  const s0 = snapshots();
  const cpu0 = mainThreadCpuS();
  const t0 = performance.now();
  const end = t0 + WINDOW_MS;
  while (performance.now() < end) {
    const batch = pool[k++ % pool.length];
    deliver(batch);
    events += batch.length;
    await turn();
  }
  const wall = (performance.now() - t0) / 1000;
  const cpu = mainThreadCpuS() - cpu0;
  return { eventsPerS: events / wall, cpuUsPerEvent: (cpu / events) * 1e6, cpuPct: (cpu / wall) * 100, snapshots: snapshots() - s0 };
}

/** An executor that runs nothing: the bench hands its registry batches, as a worker's messages would. */
class FedExecutor implements Executor {
  readonly registry = new PeerRegistry();
  readonly batches$ = this.registry.batches$;
  readonly events$ = this.registry.events$;
  spawn(): never {
    throw new Error('no peers');
  }
  listen(): never {
    throw new Error('no listeners');
  }
  peer() {
    return undefined;
  }
  async collectGarbage(): Promise<void> {}
  async close(): Promise<void> {
    this.registry.complete();
  }
}

function monitorOn(executor: FedExecutor) {
  // target 0: the keeper sees every event (as it does in a monitor) but never dials.
  const monitor = createMonitor({ protocol: 'unused', config: {}, defaultPort: 8333, target: 0, executor, intervalMs: INTERVAL_MS });
  let snapshots = 0;
  monitor.stats$.subscribe(() => snapshots++);
  return { monitor, snapshots: () => snapshots };
}

async function inProcessFloor(pool: PeerEvent[][]): Promise<Result> {
  const subject = new Subject<PeerEvent>();
  let n = 0;
  subject.subscribe(() => n++);
  return drive(pool, (batch) => {
    for (const e of batch) subject.next(e);
  }, () => 0);
}

/** The monitor before the pipeline: every event through the reducers of then (a spread per event), snapshots on setInterval. */
async function inProcessPerEvent(prelude: PeerEvent[], pool: PeerEvent[][]): Promise<Result> {
  const peers = new Map<string, PeerStats>();
  const tally = new AddressTally();
  const ended: string[] = [];
  let totals: Totals = EMPTY_TOTALS;
  const active = (s?: string) => s === 'connecting' || s === 'handshaking' || s === 'ready';
  const subject = new Subject<PeerEvent>();
  subject.subscribe((event) => {
    const fresh = tally.record(event);
    if (event.peer === SESSION_EVENTS) {
      totals = legacyReduceTotals(totals, event, fresh);
      return;
    }
    const before = peers.get(event.peer);
    peers.set(event.peer, legacyReducePeer(before, event));
    totals = legacyReduceTotals(totals, event, { ...fresh, before: before?.state });
    if (event.type === 'state' && !active(event.state) && (before === undefined || active(before.state))) {
      ended.push(event.peer);
      while (ended.length > KEEP_ENDED_PEERS) peers.delete(ended.shift()!);
    }
  });
  for (const e of prelude) subject.next(e);
  const startedAt = Date.now();
  let snapshots = 0;
  let last: ReturnType<typeof buildSnapshot> | undefined;
  const timer = setInterval(() => {
    last = buildSnapshot({ peers: peers.values(), totals, target: PEERS, startedAt, now: Date.now(), previous: last });
    snapshots++;
  }, INTERVAL_MS);
  try {
    return await drive(pool, (batch) => {
      for (const e of batch) subject.next(e);
    }, () => snapshots);
  } finally {
    clearInterval(timer);
  }
}

async function inProcessPipeline(prelude: PeerEvent[], pool: PeerEvent[][]): Promise<Result> {
  const executor = new FedExecutor();
  const { monitor, snapshots } = monitorOn(executor);
  await monitor.start();
  executor.registry.deliver(prelude);
  try {
    return await drive(pool, (batch) => executor.registry.deliver(batch), snapshots);
  } finally {
    await monitor.stop();
  }
}

/** Snapshot of PEERS ready peers: what each interval costs on top of the events. */
function snapshotMs(prelude: PeerEvent[], pool: PeerEvent[]): number {
  const c = new StatsCollector().applyBatch(prelude).applyBatch(pool.slice(0, 100_000));
  const times: number[] = [];
  for (let i = 0; i < 7; i++) {
    const t0 = performance.now();
    JSON.stringify(buildSnapshot({ peers: c.peers.values(), totals: c.totals, target: PEERS, startedAt: 0, now: Date.now() }).ready);
    times.push(performance.now() - t0);
  }
  return median(times);
}

// ---- across a worker ----

async function acrossWorker(mode: 'floor' | 'pipeline', packed: boolean, seed: number): Promise<Result> {
  const setup: WorkerSetup = { seed, peers: PEERS, batch: BATCH, poolEvents: POOL_EVENTS, packed };
  const unpacker = new EventUnpacker();
  const worker = new Worker(WORKER, { workerData: setup });
  const executor = new FedExecutor();
  const { monitor, snapshots } = monitorOn(executor);
  await monitor.start();
  let events = 0;
  let prelude = false;
  const preludeSeen = new Promise<void>((resolve) => {
    worker.on('message', (report: WorkerReport | { type: 'packed'; batch: PackedEvents }) => {
      let batch: readonly PeerEvent[];
      if (report.type === 'packed') batch = mode === 'pipeline' ? unpacker.unpack(report.batch) : report.batch.others;
      else if (report.type === 'events') batch = report.events;
      else return;
      if (mode === 'pipeline') executor.registry.deliver(batch);
      const n = report.type === 'packed' ? report.batch.numbers.length / 7 : batch.length;
      if (!prelude) {
        prelude = true;
        resolve();
        return;
      }
      events += n;
      worker.postMessage({ credit: 1 } satisfies ToWorker);
    });
  });
  await preludeSeen;
  worker.postMessage({ credit: CREDITS } satisfies ToWorker);
  await new Promise((r) => setTimeout(r, 300));
  const e0 = events;
  const s0 = snapshots();
  const cpu0 = mainThreadCpuS();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, WINDOW_MS));
  const wall = (performance.now() - t0) / 1000;
  const cpu = mainThreadCpuS() - cpu0;
  const n = events - e0;
  const result = { eventsPerS: n / wall, cpuUsPerEvent: (cpu / n) * 1e6, cpuPct: (cpu / wall) * 100, snapshots: snapshots() - s0 };
  worker.postMessage({ stop: true } satisfies ToWorker);
  await worker.terminate();
  await monitor.stop();
  return result;
}

// ---- the run ----

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function main(): Promise<void> {
  const session = new Session(1, PEERS);
  const prelude = session.prelude();
  const poolEvents = session.pool(POOL_EVENTS);
  const pool = batches(poolEvents, BATCH);
  const kinds = new Map<string, number>();
  for (const e of poolEvents) kinds.set(e.type, (kinds.get(e.type) ?? 0) + 1);
  const mix = [...kinds].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${((n / poolEvents.length) * 100).toFixed(1)}%`).join(', ');

  const rows: Array<{ key: string; name: string; where: string; run: (i: number) => Promise<Result> }> = [
    { key: 'floor', name: 'floor: Subject.next per event, no work', where: 'in-process', run: () => inProcessFloor(pool) },
    { key: 'per-event', name: 'per-event reducers (the monitor before)', where: 'in-process', run: () => inProcessPerEvent(prelude, pool) },
    { key: 'pipeline', name: 'pipeline (Monitor: batches$ → reduceStats → sampleOn → snapshot)', where: 'in-process', run: () => inProcessPipeline(prelude, pool) },
    { key: 'worker-floor', name: 'floor: receive PeerEvent[] batches, no work', where: 'worker → main', run: (i) => acrossWorker('floor', false, i + 1) },
    { key: 'worker-pipeline', name: 'pipeline, PeerEvent[] batches (PeerRegistry.deliver → Monitor)', where: 'worker → main', run: (i) => acrossWorker('pipeline', false, i + 1) },
    { key: 'worker-packed-floor', name: 'floor: receive packed batches, no work', where: 'worker → main', run: (i) => acrossWorker('floor', true, i + 1) },
    { key: 'worker-packed', name: 'pipeline, packed batches (EventUnpacker → PeerRegistry.deliver → Monitor)', where: 'worker → main', run: (i) => acrossWorker('pipeline', true, i + 1) },
  ];
  // ROWS=2,4: only those rows (1-based), e.g. to profile one path.
  const only = process.env.ROWS?.split(',').map(Number);
  if (only) rows.splice(0, rows.length, ...rows.filter((_, i) => only.includes(i + 1)));
  const results: Result[][] = rows.map(() => []);
  const load0 = os.loadavg()[0];
  for (let run = 0; run < RUNS; run++) {
    // Interleaved, so a neighbour's burst of load does not fall on one row only.
    for (const [i, row] of rows.entries()) {
      const r = await row.run(run);
      results[i].push(r);
      console.log(`run ${run + 1} · ${row.where} · ${row.name}: ${Math.round(r.eventsPerS).toLocaleString('en-US')} events/s, ${r.cpuUsPerEvent.toFixed(3)} µs main CPU/event, ${r.cpuPct.toFixed(0)}% main CPU`);
    }
  }
  const load1 = os.loadavg()[0];
  if (only) return; // a partial run is for looking at, not for the results file
  const snapMs = snapshotMs(prelude, poolEvents);

  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  const us = (key: string) => median(results[rows.findIndex((r) => r.key === key)].map((r) => r.cpuUsPerEvent));
  const rate = (key: string) => median(results[rows.findIndex((r) => r.key === key)].map((r) => r.eventsPerS));
  // 10,000 peers pinged each second: ping out, pong in, rtt per peer per second.
  const e2eRate = PEERS * 3;
  const share = (key: string) => `${((e2eRate * us(key)) / 1e4).toFixed(1)}%`;
  const lines = [
    `# Stats pipeline: events from ${fmt(PEERS)} peers through reducers, operators and snapshots`,
    '',
    `\`node --import tsx --conditions=source bench/stats-pipeline.ts\` (PEERS=${PEERS}, RUNS=${RUNS}, WINDOW_MS=${WINDOW_MS}, BATCH=${BATCH}; medians of ${RUNS} runs, rows interleaved).`,
    '',
    '| path | where | events/s | main-thread CPU µs / event | main-thread CPU % |',
    '|---|---|---:|---:|---:|',
    ...rows.map((row, i) => {
      const rs = results[i];
      return `| ${row.name} | ${row.where} | ${fmt(median(rs.map((r) => r.eventsPerS)))} | ${median(rs.map((r) => r.cpuUsPerEvent)).toFixed(3)} | ${median(rs.map((r) => r.cpuPct)).toFixed(0)} |`;
    }),
    '',
    `Mix after the prelude (${fmt(PEERS)} peers each connecting, handshaking, ready): ${mix}. Batches of ${BATCH} events, one per event-loop turn; ` +
      `snapshots every ${INTERVAL_MS} ms during the window (the pipeline and per-event rows build them, ${fmt(PEERS)} peers each). ` +
      `A snapshot of ${fmt(PEERS)} peers takes ${snapMs.toFixed(1)} ms to build.`,
    '',
    `The pipeline takes ${(rate('pipeline') / rate('per-event')).toFixed(1)}× the events per second of the per-event reducers, at ` +
      `${(us('per-event') / us('pipeline')).toFixed(1)}× less main-thread CPU per event. Packing batches cuts the main thread's cost of receiving ` +
      `them from ${us('worker-floor').toFixed(2)} to ${us('worker-packed-floor').toFixed(2)} µs an event.`,
    '',
    `At the end-to-end load (${fmt(PEERS)} peers pinged every second: ping out, pong in, rtt = ${fmt(e2eRate)} events/s), the main thread ` +
      `spends ${share('worker-packed')} of a core on events with threads 1 and packed batches (${share('worker-pipeline')} with PeerEvent[] batches), ` +
      `${share('pipeline')} in-process, plus ${((snapMs / INTERVAL_MS) * 100).toFixed(1)}% for a snapshot of ${fmt(PEERS)} peers each second.`,
    '',
    `Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}; load average ${load0.toFixed(2)} at the start, ${load1.toFixed(2)} at the end ` +
      '(other processes share the machine: absolute figures move with them, the rows of one run are comparable).',
    '',
  ];
  const out = join(dirname(fileURLToPath(import.meta.url)), 'results', 'stats-pipeline.md');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, lines.join('\n'));
  console.log(`\n${lines.join('\n')}\nwrote ${out}`);
}

await main();
