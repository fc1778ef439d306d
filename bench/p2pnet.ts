/**
 * p2pnet node-to-node throughput and round-trip latency on loopback, against Python p2pnetwork 1.2
 * measured in the same run. Two nodes, each in its own process; messages are 100-byte JSON dicts.
 *
 *   P2PNETWORK_PY=/path/to/python-p2p-network node --import tsx --conditions=source bench/p2pnet.ts
 *
 * P2PNETWORK_PY names a checkout of macsnoeren/python-p2p-network (the folder holding `p2pnetwork/`);
 * python3 runs two of its nodes exchanging the same dicts. Without it the Python figures are a
 * reference from an earlier run, and the output says so.
 * - throughput: node A sends N messages as fast as it can; node B counts them and answers "done" at N.
 * - echo (idle): A sends a request, B answers it, A sends the next one; the round-trip per request.
 * - echo (under load): the same while A also streams bulk messages to B on the same connection at a
 *   quarter of the measured rate.
 * Ours runs with the connections on each node's own thread (threads 0) and in each node's worker pool
 * (threads 1, the default). Writes bench/results/p2pnet.md.
 */
import { execFileSync, fork, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Node, pythonJsonDumps, type Framing, type NodeConnection } from '../packages/p2pnet/src/index.js';

const N = Number(process.env.N ?? 300_000);
const ECHOES = Number(process.env.ECHOES ?? 2_000);
const LOADED_ECHOES = Math.min(ECHOES, 500);
const RUNS = Number(process.env.RUNS ?? 3);
const BATCH = 2_000;
// p2pnetwork reads 4 KB and then sleeps 10 ms: ~4,000 messages/s at best, so fewer of them.
const PY_N = Number(process.env.PY_N ?? 10_000);
const PY_ECHOES = Number(process.env.PY_ECHOES ?? 200);
const PY_LOADED_ECHOES = Math.min(PY_ECHOES, 100);
/** Measured here with two p2pnetwork 1.2 nodes before the Python run was part of this benchmark. */
const PY_REFERENCE = { rate: 3_800, loadedP50: 10 };

interface Result {
  label: string;
  framing: Framing;
  rate: number;
  /** CPU time of both nodes' processes (all their threads) per message, in µs: what load on the machine does not inflate. */
  cpuPerMessage?: number;
  idle: number[];
  loaded: number[];
}

/** `{"type": "bench", "seq": N, "pad": "xx…"}`, 100 bytes as json.dumps writes it (the sizing costs nothing per message). */
const BASE_LENGTH = pythonJsonDumps({ type: 'bench', seq: 0, pad: '' }).length - 1;
const PADS = Array.from({ length: 100 }, (_, n) => 'x'.repeat(n));
function message(seq: number): Record<string, unknown> {
  return { type: 'bench', seq, pad: PADS[100 - BASE_LENGTH - String(seq).length] };
}

async function peerB(framing: Framing, threads: number): Promise<void> {
  const b = new Node({ host: '127.0.0.1', port: 0, framing, threads });
  await b.start();
  let count = 0;
  let expected = Infinity;
  let total = 0;
  b.on$('node-message').subscribe(({ node, data }) => {
    const d = data as { type?: string; n?: number; seq?: number };
    if (d.type === 'echo') b.sendToNode(node, { type: 'echo-reply', seq: d.seq });
    else if (d.type === 'expect') {
      expected = d.n!;
      count = 0;
    } else if (d.type === 'bench') {
      if (++total % ACK_EVERY === 0) b.sendToNode(node, { type: 'ack', n: total });
      if (++count === expected) b.sendToNode(node, { type: 'done', n: count });
    }
  });
  process.on('message', async (m) => {
    if (m === 'cpu') return process.send!({ cpu: process.cpuUsage() });
    if (m === 'status') return console.error(`node B: ${count} of ${expected} counted, messageCount ${JSON.stringify(b.messageCount)}, connections ${b.allNodes.length}`);
    if (m !== 'exit') return;
    await b.stop();
    process.exit(0);
  });
  // The benchmark ended without saying so (it failed): do not outlive it.
  process.on('disconnect', () => process.exit(0));
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

/**
 * A p2pnet send never blocks (p2pnetwork's sendall does), and a connection that holds more than 8 MB
 * unsent is cut as a flood (the engine's rule against peers that do not read): a sender must pace
 * itself by what the receiver has taken. B acknowledges every ACK_EVERY bench messages; A keeps at most
 * WINDOW of them unacknowledged (5 MB), enough to keep the connection busy. Without it, a receiver
 * descheduled for a few hundred ms on a busy machine gets its connection cut mid-run.
 */
const WINDOW = 50_000;
const ACK_EVERY = 5_000;

class Window {
  sent = 0;
  private acked = 0;
  private wake?: () => void;

  constructor(a: Node) {
    a.on$('node-message').subscribe(({ data }) => {
      const d = data as { type?: string; n?: number };
      if (d.type !== 'ack') return;
      this.acked = d.n!;
      this.wake?.();
    });
  }

  get room(): number {
    return WINDOW - (this.sent - this.acked);
  }

  async wait(): Promise<void> {
    while (this.room <= 0) await new Promise<void>((r) => (this.wake = r));
    this.wake = undefined;
  }
}

/** Sends `n` bench messages in batches, yielding to the event loop between batches. */
async function stream(a: Node, ab: NodeConnection, window: Window, n: number): Promise<void> {
  for (let i = 0; i < n; ) {
    await window.wait();
    const end = Math.min(n, i + BATCH, i + window.room);
    window.sent += end - i;
    for (; i < end; i++) a.sendToNode(ab, message(i));
    await new Promise((r) => setImmediate(r));
  }
}

/** The phase running now; a phase that takes minutes is a hang, reported as such instead of waiting forever. */
let phase = { what: 'start', since: Date.now() };
/** Says what the nodes are at when a phase is stuck. */
let status = (): void => {};
function trace(what: string): void {
  phase = { what, since: Date.now() };
  if (process.env.TRACE) console.error(`${new Date().toISOString()} ${what}`);
}
const STUCK_MS = 120_000;

async function throughput(a: Node, ab: NodeConnection, window: Window, n: number): Promise<number> {
  trace(`throughput ${n}`);
  a.sendToNode(ab, { type: 'expect', n });
  const done = waitFor(a, (d) => d.type === 'done');
  const t0 = process.hrtime.bigint();
  await stream(a, ab, window, n);
  await done;
  return n / (Number(process.hrtime.bigint() - t0) / 1e9);
}

async function echoes(a: Node, ab: NodeConnection, count: number): Promise<number[]> {
  trace(`echoes ${count}`);
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
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];

async function measureOurs(framing: Framing, threads: number): Promise<Result> {
  trace(`${framing}, threads ${threads}: starting node B`);
  const execArgv = process.env.PROF ? [...process.execArgv, '--cpu-prof', `--cpu-prof-dir=${process.env.PROF}`] : process.execArgv;
  const child = fork(fileURLToPath(import.meta.url), ['peer-b', framing, String(threads)], { execArgv });
  const { port } = await new Promise<{ port: number }>((r) => child.once('message', (m) => r(m as { port: number })));
  trace(`${framing}, threads ${threads}: connecting`);
  const a = new Node({ host: '127.0.0.1', port: 0, framing, threads });
  status = () => {
    console.error(`node A: messageCount ${JSON.stringify(a.messageCount)}, connections ${a.allNodes.length}`);
    child.send('status');
  };
  await a.start();
  const ab = await a.connectWithNode('127.0.0.1', port);
  const window = new Window(a);
  await new Promise((r) => setTimeout(r, 50));
  await throughput(a, ab, window, N); // warm-up
  const cpuOfB = () => new Promise<NodeJS.CpuUsage>((r) => {
    child.once('message', (m) => r((m as { cpu: NodeJS.CpuUsage }).cpu));
    child.send('cpu');
  });
  const [cpuA0, cpuB0] = [process.cpuUsage(), await cpuOfB()];
  const rates: number[] = [];
  for (let r = 0; r < RUNS; r++) rates.push(await throughput(a, ab, window, N));
  const [cpuA, cpuB] = [process.cpuUsage(cpuA0), await cpuOfB()];
  const cpuPerMessage = (cpuA.user + cpuA.system + cpuB.user + cpuB.system - cpuB0.user - cpuB0.system) / (RUNS * N);
  await echoes(a, ab, ECHOES); // warm-up: the JIT tiers up over the first thousands of round trips
  const idle = await echoes(a, ab, ECHOES);
  // Load: a quarter of the measured rate, paced every millisecond (flat out, or near the receiver's
  // limit on a busy machine, the backlog only grows and the echo measures the queue).
  let loading = true;
  const rate = median(rates);
  const perMs = Math.max(1, Math.round(rate / 4 / 1000));
  const load = (async () => {
    for (let i = 0; loading; i++) {
      const k = Math.min(perMs, window.room);
      window.sent += Math.max(0, k);
      for (let j = 0; j < k; j++) a.sendToNode(ab, message(i));
      await new Promise((r) => setTimeout(r, 1));
    }
  })();
  const loaded = await echoes(a, ab, LOADED_ECHOES);
  loading = false;
  await load;
  trace(`${framing}, threads ${threads}: stopping`);
  await a.stop();
  child.send('exit');
  await new Promise((r) => child.once('exit', r));
  return { label: threads === 0 ? 'peerscope, in-process (threads 0)' : `peerscope, worker pool (threads ${threads})`, framing, rate, cpuPerMessage, idle, loaded };
}

/** The same measurements between two Python p2pnetwork nodes (node A here, B a child process). */
const PYTHON = String.raw`
import json, os, subprocess, sys, threading, time, types
# The package without its __init__.py: the repository's head after 1.2 imports a misspelt module there.
package = types.ModuleType('p2pnetwork')
package.__path__ = [os.path.join(os.environ['P2PNETWORK_PY'], 'p2pnetwork')]
sys.modules['p2pnetwork'] = package
from p2pnetwork.node import Node

def message(seq):
    base = {'type': 'bench', 'seq': seq, 'pad': ''}
    return dict(base, pad='x' * (100 - len(json.dumps(base))))

class B(Node):
    count = 0
    expected = None
    def node_message(self, node, data):
        t = data.get('type') if isinstance(data, dict) else None
        if t == 'echo':
            self.send_to_node(node, {'type': 'echo-reply', 'seq': data['seq']})
        elif t == 'expect':
            self.expected, self.count = data['n'], 0
        elif t == 'bench':
            self.count += 1
            if self.count == self.expected:
                self.send_to_node(node, {'type': 'done', 'n': self.count})

class A(Node):
    done = threading.Event()
    reply = threading.Event()
    waiting = None
    def node_message(self, node, data):
        t = data.get('type') if isinstance(data, dict) else None
        if t == 'done':
            self.done.set()
        elif t == 'echo-reply' and data['seq'] == self.waiting:
            self.reply.set()

if sys.argv[1] == 'b':
    b = B('127.0.0.1', 0, max_connections=10)
    b.port = b.sock.getsockname()[1]
    b.start()
    print('PORT', b.port, flush=True)
    sys.stdin.read()
    os._exit(0)

n, runs, echoes, loaded_echoes = map(int, sys.argv[2:6])
child = subprocess.Popen([sys.executable, '-c', os.environ['P2PNET_BENCH_PY'], 'b'], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
line = ''
while not line.startswith('PORT '):
    line = child.stdout.readline()
    if not line:
        raise SystemExit('node B ended before it listened')
port = int(line.split()[1])
a = A('127.0.0.1', 0, max_connections=10)
a.start()
a.connect_with_node('127.0.0.1', port)
time.sleep(0.2)
conn = next(iter(a.nodes_outbound))

def throughput(count):
    a.done.clear()
    a.send_to_node(conn, {'type': 'expect', 'n': count})
    t0 = time.perf_counter()
    for i in range(count):
        a.send_to_node(conn, message(i))
    if not a.done.wait(600):
        raise SystemExit('no "done" from node B')
    return count / (time.perf_counter() - t0)

def echo(count):
    rtts = []
    for seq in range(count):
        a.reply.clear()
        a.waiting = seq
        t0 = time.perf_counter()
        a.send_to_node(conn, {'type': 'echo', 'seq': seq, 'pad': 'x' * 60})
        if not a.reply.wait(10):
            raise SystemExit('no echo reply from node B')
        rtts.append((time.perf_counter() - t0) * 1000)
    return sorted(rtts)

throughput(max(1, n // 10))
rates = sorted(throughput(n) for _ in range(runs))
rate = rates[len(rates) // 2]
echo(20)
idle = echo(echoes)
loading = True
def load():
    per_ms = max(1, round(rate / 4 / 1000))
    i = 0
    while loading:
        for _ in range(per_ms):
            a.send_to_node(conn, message(i))
        i += 1
        time.sleep(0.001)
loader = threading.Thread(target=load)
loader.start()
loaded = echo(loaded_echoes)
loading = False
loader.join()
print('RESULT ' + json.dumps({'rate': rate, 'idle': idle, 'loaded': loaded}), flush=True)
child.kill()
os._exit(0)
`;

function pythonDir(): string | undefined {
  const dir = process.env.P2PNETWORK_PY;
  if (!dir) return undefined;
  if (!existsSync(join(dir, 'p2pnetwork', 'node.py'))) throw new Error(`P2PNETWORK_PY=${dir}: no p2pnetwork/node.py there (expected a checkout of macsnoeren/python-p2p-network)`);
  return resolve(dir);
}

async function measurePython(dir: string): Promise<Result & { version: string }> {
  trace('Python p2pnetwork');
  const python = execFileSync('python3', ['--version'], { encoding: 'utf8' }).trim();
  const setup = existsSync(join(dir, 'setup.py')) ? readFileSync(join(dir, 'setup.py'), 'utf8') : '';
  const version = `p2pnetwork ${/version="([^"]+)"/.exec(setup)?.[1] ?? '(version unknown)'}, ${python}`;
  const child = spawn('python3', ['-c', PYTHON, 'a', String(PY_N), String(RUNS), String(PY_ECHOES), String(PY_LOADED_ECHOES)], {
    env: { ...process.env, P2PNETWORK_PY: dir, P2PNET_BENCH_PY: PYTHON },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const code = await new Promise<number | null>((r) => child.on('close', r));
  const line = out.split('\n').find((l) => l.startsWith('RESULT '));
  if (code !== 0 || !line) throw new Error(`the Python p2pnetwork run failed (exit ${code}):\n${out}`);
  const r = JSON.parse(line.slice(7)) as { rate: number; idle: number[]; loaded: number[] };
  return { label: 'Python p2pnetwork', framing: 'eot', ...r, version };
}

function row(r: Result, base: number): string {
  const ratio = `${r.rate / base >= 10 ? Math.round(r.rate / base) : (r.rate / base).toFixed(1)}×`;
  const ms = (s: number[], p: number) => `${pct(s, p).toFixed(3)} ms`;
  const cpu = r.cpuPerMessage === undefined ? '—' : `${r.cpuPerMessage.toFixed(2)} µs`;
  return `| ${r.label} | ${r.framing} | ${Math.round(r.rate).toLocaleString('en')} | ${ratio} | ${cpu} | ${ms(r.idle, 50)} | ${ms(r.idle, 99)} | ${ms(r.loaded, 50)} | ${ms(r.loaded, 99)} |`;
}

if (process.argv[2] === 'peer-b') {
  await peerB(process.argv[3] as Framing, Number(process.argv[4]));
} else {
  setInterval(() => {
    if (Date.now() - phase.since < STUCK_MS) return;
    console.error(`stuck for ${STUCK_MS / 1000} s in: ${phase.what}`);
    status();
    setTimeout(() => process.exit(1), 500);
  }, 5_000).unref();
  const dir = pythonDir();
  const loadBefore = os.loadavg()[0];
  const rows: Result[] = [];
  let python: (Result & { version: string }) | undefined;
  if (dir) {
    python = await measurePython(dir);
    console.log(`${python.label} (${python.version}): ${Math.round(python.rate).toLocaleString('en')} msg/s; echo idle p50 ${pct(python.idle, 50).toFixed(3)} ms p99 ${pct(python.idle, 99).toFixed(3)} ms; under load p50 ${pct(python.loaded, 50).toFixed(3)} ms`);
  } else {
    console.log(`P2PNETWORK_PY is not set: Python p2pnetwork is NOT measured in this run; its figures (${PY_REFERENCE.rate.toLocaleString('en')} msg/s, ~${PY_REFERENCE.loadedP50} ms echo under load) are a reference from an earlier run.`);
  }
  const base = python?.rate ?? PY_REFERENCE.rate;
  // FRAMINGS=eot THREADS=1 narrows a run while investigating; only a full run writes the results file.
  const narrowed = process.env.FRAMINGS !== undefined || process.env.THREADS !== undefined;
  const framings = (process.env.FRAMINGS ?? 'eot,length').split(',') as Framing[];
  const placements = (process.env.THREADS ?? '0,1').split(',').map(Number);
  for (const framing of framings) {
    for (const threads of placements) {
      const r = await measureOurs(framing, threads);
      rows.push(r);
      console.log(`${r.label}, ${framing}: ${Math.round(r.rate).toLocaleString('en')} msg/s (${(r.rate / base).toFixed(0)}× p2pnetwork), CPU ${r.cpuPerMessage!.toFixed(2)} µs/msg; echo idle p50 ${pct(r.idle, 50).toFixed(3)} ms p99 ${pct(r.idle, 99).toFixed(3)} ms; under load p50 ${pct(r.loaded, 50).toFixed(3)} ms p99 ${pct(r.loaded, 99).toFixed(3)} ms`);
      if (process.env.TAIL) console.log('  idle tail (p90 p95 p99 p99.9 max):', [90, 95, 99, 99.9].map((p) => pct(r.idle, p).toFixed(3)).join(' '), r.idle.at(-1)!.toFixed(3), ' loaded:', [90, 95, 99, 99.9].map((p) => pct(r.loaded, p).toFixed(3)).join(' '), r.loaded.at(-1)!.toFixed(3));
    }
  }
  const loadAfter = os.loadavg()[0];
  if (narrowed) process.exit(0);
  const command = `${dir ? 'P2PNETWORK_PY=<checkout> ' : ''}node --import tsx --conditions=source bench/p2pnet.ts`;
  const md = [
    '# p2pnet: peerscope nodes vs Python p2pnetwork on loopback',
    '',
    `100-byte JSON dicts between two nodes, each in its own process. Throughput: the median of ${RUNS} runs of ${N.toLocaleString('en')} messages after one warm-up run (Python: ${PY_N.toLocaleString('en')}); the sender keeps at most ${WINDOW.toLocaleString('en')} messages unacknowledged (see below). CPU: user + system time of both processes, all threads, per message: what a busy machine does not inflate. Echo: ${ECHOES.toLocaleString('en')} sequential request/echo round trips idle after as many for warm-up (Python: ${PY_ECHOES}), and ${LOADED_ECHOES} (Python: ${PY_LOADED_ECHOES}) under load, while A streams bulk messages to B on the same connection at a quarter of its measured rate.`,
    '',
    `peerscope runs each node's connections on the node's own thread (threads 0) or in the node's worker pool (threads 1, the default): there a message crosses two threads more on each side.`,
    python
      ? `Python p2pnetwork (macsnoeren/python-p2p-network: ${python.version}) was measured in this same run: the ratio column divides by its throughput.`
      : `**Python p2pnetwork was not measured in this run** (P2PNETWORK_PY unset): the ratio divides by ${PY_REFERENCE.rate.toLocaleString('en')} messages/s, a figure from an earlier run on this kind of machine, not from this one.`,
    `Node ${process.version}, ${process.platform}/${process.arch}, ${os.cpus().length} cores; 1-minute load average ${loadBefore.toFixed(1)} when the run began (other work on the machine) and ${loadAfter.toFixed(1)} at its end (the benchmark included). Command: \`${command}\`.`,
    '',
    '| nodes | framing | messages/s | vs p2pnetwork | CPU per message | echo p50 idle | echo p99 idle | echo p50 under load | echo p99 under load |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|',
    ...(python ? [row(python, python.rate)] : []),
    ...rows.map((r) => row(r, base)),
    '',
    `Pacing: a p2pnet send never blocks (p2pnetwork's sendall does, which paces its sender), and a connection holding more than 8 MB unsent is cut as a flood, the engine's rule against peers that do not read. So node B acknowledges every ${ACK_EVERY.toLocaleString('en')} messages and node A keeps at most ${WINDOW.toLocaleString('en')} (5 MB) unacknowledged; without it, a receiver descheduled for a few hundred milliseconds on a busy machine has its connection cut mid-run.`,
    '',
  ].join('\n');
  const out = join(dirname(fileURLToPath(import.meta.url)), 'results', 'p2pnet.md');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, md);
  console.log(`wrote ${out}`);
}
