/**
 * p2pnet node-to-node throughput and round-trip latency, two peerscope nodes on loopback, each in its
 * own process (as two Python p2pnetwork nodes would be). Messages are 100-byte JSON dicts.
 *
 * From the repository root: node --import tsx --conditions=source bench/p2pnet.ts
 *
 * - throughput: node A sends N messages as fast as it can; node B counts them and answers "done" at N.
 * - echo (idle): A sends a request, B answers it, A sends the next one; the round-trip per request.
 * - echo (under load): the same while A also streams bulk messages to B on the same connection.
 * Reference (measured here, Python p2pnetwork 1.2): ~3,800 msg/s, ~10 ms request/echo under load.
 * Writes bench/results/p2pnet.md.
 */
import { fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Node, pythonJsonDumps, type Framing, type NodeConnection } from '../packages/p2pnet/src/index.js';

const N = Number(process.env.N ?? 300_000);
const ECHOES = Number(process.env.ECHOES ?? 2_000);
const RUNS = Number(process.env.RUNS ?? 3);
const BATCH = 2_000;

function message(seq: number): Record<string, unknown> {
  const base = { type: 'bench', seq, pad: '' };
  const len = pythonJsonDumps(base).length;
  return { ...base, pad: 'x'.repeat(100 - len) };
}

async function peerB(framing: Framing): Promise<void> {
  const b = new Node({ host: '127.0.0.1', port: 0, framing });
  await b.start();
  let count = 0;
  let expected = Infinity;
  b.on$('node-message').subscribe(({ node, data }) => {
    const d = data as { type?: string; n?: number; seq?: number };
    if (d.type === 'echo') b.sendToNode(node, { type: 'echo-reply', seq: d.seq });
    else if (d.type === 'expect') {
      expected = d.n!;
      count = 0;
    } else if (d.type === 'bench' && ++count === expected) b.sendToNode(node, { type: 'done', n: count });
  });
  process.on('message', (m) => m === 'exit' && process.exit(0));
  process.send!({ port: b.port });
}

function waitFor(a: Node, pred: (d: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const sub = a.on$('node-message').subscribe(({ data }) => {
      if (pred(data as Record<string, unknown>)) {
        sub.unsubscribe();
        resolve(data as Record<string, unknown>);
      }
    });
  });
}

/** Sends `n` bench messages in batches, yielding to the event loop between batches. */
async function stream(a: Node, ab: NodeConnection, n: number): Promise<void> {
  for (let i = 0; i < n; ) {
    const end = Math.min(n, i + BATCH);
    for (; i < end; i++) a.sendToNode(ab, message(i));
    await new Promise((r) => setImmediate(r));
  }
}

async function throughput(a: Node, ab: NodeConnection): Promise<number> {
  a.sendToNode(ab, { type: 'expect', n: N });
  const done = waitFor(a, (d) => d.type === 'done');
  const t0 = process.hrtime.bigint();
  await stream(a, ab, N);
  await done;
  return N / (Number(process.hrtime.bigint() - t0) / 1e9);
}

async function echoes(a: Node, ab: NodeConnection, count: number): Promise<number[]> {
  const rtts: number[] = [];
  for (let seq = 0; seq < count; seq++) {
    const reply = waitFor(a, (d) => d.type === 'echo-reply' && d.seq === seq);
    const t0 = process.hrtime.bigint();
    a.sendToNode(ab, { type: 'echo', seq, pad: 'x'.repeat(60) });
    await reply;
    rtts.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return rtts.sort((x, y) => x - y);
}

const pct = (s: number[], p: number) => s[Math.min(s.length - 1, Math.floor((s.length * p) / 100))];

async function measure(framing: Framing) {
  const child = fork(fileURLToPath(import.meta.url), ['peer-b', framing], { execArgv: process.env.PROF ? [...process.execArgv, '--cpu-prof', '--cpu-prof-dir=' + process.env.PROF] : process.execArgv });
  const { port } = await new Promise<{ port: number }>((r) => child.once('message', (m) => r(m as { port: number })));
  const a = new Node({ host: '127.0.0.1', port: 0, framing });
  await a.start();
  const ab = await a.connectWithNode("127.0.0.1", port);
  await new Promise((r) => setTimeout(r, 50));
  await throughput(a, ab); // warm-up
  const rates: number[] = [];
  for (let r = 0; r < RUNS; r++) rates.push(await throughput(a, ab));
  await echoes(a, ab, 200); // warm-up
  const idle = await echoes(a, ab, ECHOES);
  // Load: a quarter of the measured rate, paced every millisecond (flat out, or near the receiver's
  // limit on a busy machine, the backlog only grows and the echo measures the queue).
  let loading = true;
  const median = [...rates].sort((x, y) => x - y)[Math.floor(rates.length / 2)];
  const perMs = Math.max(1, Math.round(median / 4 / 1000));
  const load = (async () => {
    for (let i = 0; loading; i++) {
      for (let k = 0; k < perMs; k++) a.sendToNode(ab, message(i));
      await new Promise((r) => setTimeout(r, 1));
    }
  })();
  const loaded = await echoes(a, ab, Math.min(ECHOES, 500));
  loading = false;
  await load;
  await a.stop();
  child.send('exit');
  rates.sort((x, y) => x - y);
  return { framing, rate: rates[Math.floor(rates.length / 2)], idle, loaded };
}

if (process.argv[2] === 'peer-b') {
  await peerB(process.argv[3] as Framing);
} else {
  const rows = [];
  for (const framing of ['eot', 'length'] as const) {
    const r = await measure(framing);
    rows.push(r);
    console.log(`${framing}: ${Math.round(r.rate).toLocaleString('en')} msg/s; echo idle p50 ${pct(r.idle, 50).toFixed(3)} ms p99 ${pct(r.idle, 99).toFixed(3)} ms; under load p50 ${pct(r.loaded, 50).toFixed(3)} ms`);
  }
  const md = [
    '# p2pnet: two peerscope nodes on loopback',
    '',
    `100-byte JSON messages, nodes in separate processes, ${RUNS} throughput runs of ${N.toLocaleString('en')} messages (median), ${ECHOES.toLocaleString('en')} sequential request/echo round trips idle and 500 under load (A streaming bulk messages to B on the same connection at a quarter of the measured rate).`,
    `Node ${process.version}, ${process.platform}/${process.arch}. Command: \`node --import tsx --conditions=source bench/p2pnet.ts\`.`,
    '',
    '| framing | messages/s | vs p2pnetwork (3,800/s) | echo p50 idle | echo p99 idle | echo p50 under load | echo p99 under load |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.framing} | ${Math.round(r.rate).toLocaleString('en')} | ${Math.round(r.rate / 3800)}× | ${pct(r.idle, 50).toFixed(3)} ms | ${pct(r.idle, 99).toFixed(3)} ms | ${pct(r.loaded, 50).toFixed(3)} ms | ${pct(r.loaded, 99).toFixed(3)} ms |`),
    '',
    'Reference measured here: two Python p2pnetwork 1.2 nodes, ~3,800 messages/s, ~10 ms request/echo under load.',
    '',
  ].join('\n');
  const out = join(dirname(fileURLToPath(import.meta.url)), 'results', 'p2pnet.md');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, md);
  console.log(`wrote ${out}`);
}
