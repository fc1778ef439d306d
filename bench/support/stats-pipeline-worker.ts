// The worker of bench/stats-pipeline.ts: builds a session's events and pushes them one by one into the
// engine's EventBatcher, which posts one `{type: 'events', events}` per turn, as a pool worker does (or
// `{type: 'packed', batch}`, packed by EventPacker). It
// sends on credit (the main thread returns one per batch taken), so the main thread is saturated but
// never flooded. Loaded with require (tsx's CommonJS hook; its ESM hooks do not reach worker threads).
import { parentPort, workerData } from 'node:worker_threads';
import { EventBatcher, EventPacker, type PackedEvents } from '../../packages/engine/src/event-batcher.js';
import type { WorkerReport } from '../../packages/engine/src/executor.js';
import { Session, type ToWorker, type WorkerSetup } from './stats-session.js';

const { seed, peers, batch, poolEvents, packed } = workerData as WorkerSetup;
const port = parentPort!;
const session = new Session(seed, peers);
const prelude = session.prelude();
const pool = session.pool(poolEvents);
const packer = new EventPacker();
const batcher = new EventBatcher((events) =>
  port.postMessage(packed ? ({ type: 'packed', batch: packer.pack(events) } satisfies { type: 'packed'; batch: PackedEvents }) : ({ type: 'events', events } satisfies WorkerReport)),
);
let credits = 0;
let k = 0;
let running = false;
let stopped = false;

function produce(): void {
  running = false;
  if (stopped || credits <= 0) return;
  credits--;
  for (let i = 0; i < batch; i++) batcher.push(pool[k++ % pool.length]);
  running = true;
  setImmediate(produce);
}

port.on('message', (msg: ToWorker) => {
  if ('stop' in msg) {
    stopped = true;
    port.close();
    return;
  }
  credits += msg.credit;
  if (!running) produce();
});
for (const e of prelude) batcher.push(e);
batcher.flush();
