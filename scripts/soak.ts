// The soak of issue 9 (section 3): a Bitcoin monitor holding a 1,000-peer simnet with 5% hostile peers
// (failed, replaced, retried the whole time), and a 20-node p2pnet mesh broadcasting every second with
// 2 hostile members (one sends decompression bombs, malformed and prototype-polluting JSON; one never
// reads and reconnects). RSS, heap and event-loop delay are sampled every --sample-s seconds; at the end
// the trend of RSS over the second half must be flat, the mesh must hold exactly its links (no slot
// leaks) and the monitor its target.
//
//   node --import tsx --conditions=source scripts/soak.ts [--minutes 30] [--peers 1000] [--sample-s 10] [--label full] [--out dir]
//
// Writes bench/results/soak-<label>.json and .png (RSS and event-loop delay over time) and prints a summary.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { bitcoin } from '@peerscope/bitcoin';
import { createMonitor, PoolExecutor } from '@peerscope/engine';
import { Node, compress } from '../packages/p2pnet/src/index.js';
import { soakPng, type SoakSample } from './soak-plot.js';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const minutes = Number(arg('minutes', '30'));
const peers = Number(arg('peers', '1000'));
const sampleS = Number(arg('sample-s', '10'));
const label = arg('label', 'full');
const meshSize = Number(arg('mesh', '20'));
const hostileFraction = 0.05;
const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

// ---- the simnet (child process) ----
const sim = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', path.join(root, 'scripts/soak-simnet.ts'), String(peers), String(hostileFraction)], { stdio: ['ignore', 'pipe', 'inherit'] });
const { addresses, hostile } = await new Promise<{ addresses: string[]; hostile: number }>((resolve, reject) => {
  let out = '';
  sim.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    const nl = out.indexOf('\n');
    if (nl >= 0) resolve(JSON.parse(out.slice(0, nl)));
  });
  sim.once('exit', (code) => reject(new Error(`simnet exited (${code})`)));
});
const target = peers - hostile;
const monitor = createMonitor({
  ...bitcoin({ network: 'regtest', pingIntervalMs: 10_000 }),
  seeds: addresses, target, threads: 1, intervalMs: 1_000, allow: ['127.0.0.0/8'],
  timeouts: { stallMs: 5_000, handshakeMs: 10_000 },
});
let failures = 0;
monitor.events$.subscribe((e) => {
  if (e.type === 'state' && e.state === 'failed') failures++;
});
await monitor.start();

// ---- the p2pnet mesh: honest nodes on one shared worker, each dialling three others ----
const executor = new PoolExecutor({ threads: 1 });
const honest = meshSize - 2;
const nodes: Node[] = [];
for (let i = 0; i < honest; i++) {
  const n = new Node({ host: '127.0.0.1', port: 0, executor, id: `soak-${String(i).padStart(2, '0')}`, timeouts: { stallMs: 5_000 } });
  await n.start();
  nodes.push(n);
}
const links = new Set<string>();
for (let i = 0; i < honest; i++) {
  for (const d of [1, 2, 5]) {
    const j = (i + d) % honest;
    const key = [Math.min(i, j), Math.max(i, j)].join('-');
    if (links.has(key)) continue;
    links.add(key);
    void nodes[i].connectWithNode('127.0.0.1', nodes[j].port, { reconnect: true }).catch(() => {});
  }
}
let received = 0;
let messageErrors = 0;
for (const n of nodes) {
  n.on$('node-message').subscribe(() => received++);
  n.on$('message-error').subscribe(() => messageErrors++);
}
let tick = 0;
const broadcaster = setInterval(() => {
  tick++;
  for (const n of nodes) n.sendToNodes({ type: 'tick', n: tick, from: n.id });
}, 1_000);

// ---- the hostile members (raw sockets, so nothing of ours protects them) ----
const bombs = [
  Buffer.concat([Buffer.from(Buffer.from(await compress(Buffer.alloc(8 << 20), 'bzip2')).toString('base64')), Buffer.from([2, 4])]),
  Buffer.concat([Buffer.from(Buffer.from(await compress(Buffer.alloc(8 << 20), 'lzma')).toString('base64')), Buffer.from([2, 4])]),
  Buffer.from('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"x": 1}}}\x04{not json\x04\xff\xfe raw\x04'),
];
const hostileSockets = new Set<net.Socket>();
function hostileMember(kind: 'bomber' | 'sleeper', target: Node, index: number): void {
  const s = net.connect({ host: '127.0.0.1', port: target.port }, () => s.write(`hostile-${kind}-${index}:1`));
  hostileSockets.add(s);
  s.on('error', () => {});
  let timer: NodeJS.Timeout | undefined;
  s.once('data', () => {
    if (kind === 'sleeper') s.pause();
    else timer = setInterval(() => s.write(bombs[Math.floor(Math.random() * bombs.length)]), 500);
  });
  s.on('close', () => {
    clearInterval(timer);
    hostileSockets.delete(s);
    if (!stopping) setTimeout(() => hostileMember(kind, target, index), 2_000);
  });
}
let stopping = false;
for (let i = 0; i < 4; i++) {
  hostileMember('bomber', nodes[i], i);
  hostileMember('sleeper', nodes[honest - 1 - i], i);
}

// ---- sampling ----
interface Sample extends SoakSample {
  failures: number;
  received: number;
  messageErrors: number;
}
const samples: Sample[] = [];
const delay = monitorEventLoopDelay({ resolution: 10 });
delay.enable();
const started = performance.now();
const internalConns = (n: Node) => (n as unknown as { connections: { conns: Map<string, unknown> } }).connections.conns.size;
const sample = () => {
  const mem = process.memoryUsage();
  const snap = monitor.snapshot();
  const s: Sample = {
    t: Math.round((performance.now() - started) / 100) / 10,
    rssMB: Math.round(mem.rss / 1e5) / 10, heapMB: Math.round(mem.heapUsed / 1e5) / 10,
    delayP99Ms: Math.round(delay.percentile(99) / 1e4) / 100, delayMaxMs: Math.round(delay.max / 1e4) / 100,
    ready: snap.ready, failures,
    meshLinks: nodes.reduce((a, n) => a + n.allNodes.filter((c) => c.id.startsWith('soak-')).length, 0) / 2,
    meshConns: nodes.reduce((a, n) => a + internalConns(n), 0),
    received, messageErrors,
  };
  delay.reset();
  samples.push(s);
  process.stderr.write(`${JSON.stringify(s)}\n`);
};
const sampler = setInterval(sample, sampleS * 1000);
await new Promise((r) => setTimeout(r, minutes * 60_000));
clearInterval(sampler);
sample();

// ---- verdict ----
stopping = true;
clearInterval(broadcaster);
for (const s of hostileSockets) s.destroy();
const half = samples.slice(Math.floor(samples.length / 2));
const slope = (ys: [number, number][]) => {
  const n = ys.length;
  const mx = ys.reduce((a, [x]) => a + x, 0) / n;
  const my = ys.reduce((a, [, y]) => a + y, 0) / n;
  const num = ys.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0);
  const den = ys.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
};
const rssSlopeMBPerMin = Math.round(slope(half.map((s) => [s.t / 60, s.rssMB])) * 100) / 100;
const heapSlopeMBPerMin = Math.round(slope(half.map((s) => [s.t / 60, s.heapMB])) * 100) / 100;
const summary = {
  label, minutes, peers, hostilePeers: hostile, target, meshSize, meshHonest: honest, meshLinksExpected: links.size, sampleS, node: process.version,
  rssStartMB: samples[0]?.rssMB, rssEndMB: samples.at(-1)?.rssMB, rssHighMB: Math.max(...samples.map((s) => s.rssMB)), rssSlopeMBPerMin, heapSlopeMBPerMin,
  delayP99MaxMs: Math.max(...samples.map((s) => s.delayP99Ms)), delayMaxMs: Math.max(...samples.map((s) => s.delayMaxMs)),
  readyMinSecondHalf: Math.min(...half.map((s) => s.ready)),
  meshLinksMinSecondHalf: Math.min(...half.map((s) => s.meshLinks)), meshConnsMaxSecondHalf: Math.max(...half.map((s) => s.meshConns)),
  bitcoinFailures: failures, meshMessages: received, meshMessageErrors: messageErrors,
};
const outDir = path.resolve(arg('out', path.join(root, 'bench/results')));
mkdirSync(outDir, { recursive: true });
writeFileSync(path.join(outDir, `soak-${label}.json`), `${JSON.stringify({ summary, samples }, null, 2)}\n`);
writeFileSync(path.join(outDir, `soak-${label}.png`), soakPng(summary, samples));
console.log(JSON.stringify(summary));
await monitor.stop();
await Promise.all(nodes.map((n) => n.stop()));
await executor.close();
sim.kill('SIGTERM');
process.exit(0);
