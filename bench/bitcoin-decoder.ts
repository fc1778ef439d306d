/**
 * Bitcoin frame decoder throughput: peerscope's BitcoinCodec against bcoin 1.0.2's own Parser, in the
 * same process, on the same bytes, both decoding to message objects. Floor reference: node:crypto
 * double-SHA-256 on 1 MB buffers (no decoder can verify checksums faster than it can hash).
 *
 * From the repository root: node --import tsx --conditions=source bench/bitcoin-decoder.ts
 *
 * Modes: "whole" feeds each frame as its own chunk (a message that arrived in one read);
 * "1460" feeds the stream cut into 1,460-byte chunks (one TCP segment each), ignoring frame edges.
 * Writes bench/results/bitcoin-decoder.md. Env: RUNS (default 9), TARGET_BYTES per case (default 32 MB),
 * ONLY (one case name, e.g. 'ping'). Run it on an otherwise idle machine: both sides share the cores.
 */
import { createHash, randomBytes } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BitcoinCodec, MAINNET, type BitcoinMessage } from '../packages/bitcoin/src/wire/index.js';

const require = createRequire(import.meta.url);
// eslint-disable-next-line @typescript-eslint/no-require-imports
const BcoinParser = require('bcoin/lib/net/parser') as new (network: string) => {
  feed(data: Buffer): void;
  on(event: 'packet', fn: (packet: unknown) => void): void;
  on(event: 'error', fn: (err: Error) => void): void;
};

// A full GC before each timed run, so one side's garbage is not collected on the other's clock.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const RUNS = Number(process.env.RUNS ?? 9);
const TARGET_BYTES = Number(process.env.TARGET_BYTES ?? 32_000_000);
const SEGMENT = 1460;

interface Case { name: string; message: BitcoinMessage; minCount: number }

function ipv4(i: number): string {
  return `${(i >>> 24) & 255 || 1}.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`;
}

const cases: Case[] = [
  { name: 'ping', message: { command: 'ping', nonce: 0x0123456789abcdefn }, minCount: 100_000 },
  {
    name: 'inv (500)',
    message: { command: 'inv', items: Array.from({ length: 500 }, (_, i) => ({ type: i % 3 === 0 ? 2 : 1, hash: randomBytes(32) })) },
    minCount: 200,
  },
  {
    name: 'addr (1,000)',
    message: {
      command: 'addr',
      addresses: Array.from({ length: 1000 }, (_, i) => ({
        time: 1_700_000_000 + i, services: 0x409n, host: ipv4(randomBytes(4).readUInt32BE(0)), port: 8333,
      })),
    },
    minCount: 100,
  },
  {
    name: 'headers (2,000)',
    message: {
      command: 'headers',
      headers: Array.from({ length: 2000 }, (_, i) => ({
        version: 0x20000000, prevBlock: randomBytes(32), merkleRoot: randomBytes(32), time: 1_700_000_000 + i * 600, bits: 0x17034219, nonce: i,
      })),
    },
    minCount: 50,
  },
  // An unknown command: both sides keep the payload as bytes after checking the checksum.
  { name: '1 MB payload', message: { command: 'blob', raw: randomBytes(1_000_000) }, minCount: 32 },
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function split(stream: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let o = 0; o < stream.length; o += size) out.push(stream.subarray(o, Math.min(o + size, stream.length)));
  return out;
}

function runOurs(chunks: Buffer[], expect: number): number {
  gc();
  const codec = new BitcoinCodec({ magic: MAINNET.magic });
  let n = 0;
  const t0 = process.hrtime.bigint();
  for (const c of chunks) n += codec.decode(c).length;
  const ns = Number(process.hrtime.bigint() - t0);
  if (n !== expect) throw new Error(`ours decoded ${n}, expected ${expect}`);
  return ns;
}

function runBcoin(chunks: Buffer[], expect: number): number {
  gc();
  const parser = new BcoinParser('main');
  let n = 0;
  parser.on('packet', () => { n++; });
  parser.on('error', (e) => { throw e; });
  const t0 = process.hrtime.bigint();
  for (const c of chunks) parser.feed(c);
  const ns = Number(process.hrtime.bigint() - t0);
  if (n !== expect) throw new Error(`bcoin decoded ${n}, expected ${expect}`);
  return ns;
}

interface Row { name: string; mode: string; frame: number; ours: number; bcoin: number; oursMBs: number; bcoinMBs: number }

const rows: Row[] = [];
let mbPayloads: Buffer[] = [];
const encoder = new BitcoinCodec({ magic: MAINNET.magic });
const ONLY = process.env.ONLY; // e.g. ONLY='1 MB payload' to run one case
for (const c of cases.filter((x) => !ONLY || x.name === ONLY)) {
  const frame = Buffer.from(encoder.encode(c.message).bytes);
  const count = Math.max(c.minCount, Math.ceil(TARGET_BYTES / frame.length));
  const stream = Buffer.concat(Array.from({ length: count }, () => frame));
  if (c.name === '1 MB payload') mbPayloads = Array.from({ length: count }, (_, i) => stream.subarray(i * frame.length + 24, (i + 1) * frame.length));
  const modes: [string, Buffer[]][] = [
    ['whole', Array.from({ length: count }, (_, i) => stream.subarray(i * frame.length, (i + 1) * frame.length))],
    [String(SEGMENT), split(stream, SEGMENT)],
  ];
  for (const [mode, chunks] of modes) {
    runOurs(chunks, count); runBcoin(chunks, count); // warm-up
    const ours: number[] = [];
    const theirs: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      ours.push(runOurs(chunks, count));
      theirs.push(runBcoin(chunks, count));
    }
    const o = median(ours), b = median(theirs);
    rows.push({
      name: c.name, mode, frame: frame.length,
      ours: (count * 1e9) / o, bcoin: (count * 1e9) / b,
      oursMBs: (stream.length * 1e3) / o, bcoinMBs: (stream.length * 1e3) / b,
    });
    console.error(`${c.name} ${mode}: ours ${((count * 1e9) / o).toFixed(0)}/s, bcoin ${((count * 1e9) / b).toFixed(0)}/s`);
  }
}

// Floor: double-SHA-256 with node:crypto of the very 1 MB payloads the decoders were fed (same memory).
const shaRuns: number[] = [];
for (let r = 0; r < RUNS + 1; r++) {
  gc();
  const t0 = process.hrtime.bigint();
  for (const p of mbPayloads) createHash('sha256').update(createHash('sha256').update(p).digest()).digest();
  if (r > 0) shaRuns.push(Number(process.hrtime.bigint() - t0));
}
const shaMBs = (mbPayloads.length * 1_000_000 * 1e3) / median(shaRuns);

const fmt = (x: number) => (x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(1));
const lines = [
  '# Bitcoin frame decoder throughput',
  '',
  `Node ${process.version}, ${new Date().toISOString().slice(0, 10)}; medians of ${RUNS} runs of ~${TARGET_BYTES / 1e6} MB per case.`,
  'Both decoders produce message objects (bcoin: its Packet classes). "whole": one chunk per frame;',
  `"${SEGMENT}": the stream cut into ${SEGMENT}-byte chunks. Run: \`node --import tsx --conditions=source bench/bitcoin-decoder.ts\`.`,
  '',
  '| message | frame bytes | feed | peerscope msg/s | bcoin msg/s | peerscope MB/s | bcoin MB/s | ours/bcoin |',
  '|---|---:|---|---:|---:|---:|---:|---:|',
  ...rows.map((r) => `| ${r.name} | ${r.frame.toLocaleString('en-US')} | ${r.mode} | ${fmt(r.ours)} | ${fmt(r.bcoin)} | ${fmt(r.oursMBs)} | ${fmt(r.bcoinMBs)} | ${(r.ours / r.bcoin).toFixed(2)}× |`),
  '',
  `Floor: node:crypto double-SHA-256 (createHash twice) of the same 1 MB payloads: ${fmt(shaMBs)} MB/s. `
    + `1 MB payloads: ${rows.filter((r) => r.name === '1 MB payload').map((r) => `${r.mode} ${((r.oursMBs / shaMBs) * 100).toFixed(0)}%`).join(', ')} of the floor.`,
  '',
];
const md = lines.join('\n');
const out = join(dirname(fileURLToPath(import.meta.url)), 'results', 'bitcoin-decoder.md');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, md);
console.log(md);
