// Mutation fuzzing of peerscope's decoders: a corpus of real inputs, mutated the way libFuzzer mutates
// (bit flips, interesting integers, inserts, deletes, duplicated ranges, splices with another input),
// fed to a decoder that may only throw its typed errors, must not hang, and must keep to its limits.
// The same mutations drive fast-check in the CI tests (so a failure shrinks) and a seeded generator in
// scripts/fuzz.ts (millions of inputs).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface FuzzTarget {
  name: string;
  /** What is fuzzed, for the report. */
  about: string;
  /** Decodes one input. Throws only typed errors (`typed`), or a LimitViolation when a bound is broken. */
  run(input: Uint8Array): void | Promise<void>;
  /** An error the decoder is allowed to throw (its typed decode errors). */
  typed(err: unknown): boolean;
  /** Applied after mutation, e.g. to recompute a hash so the input gets past it. */
  fixup?(input: Uint8Array): Uint8Array;
  /** Inputs are cut to this length after mutation (default 64 KiB). */
  maxInput?: number;
}

/** A decoder kept more than it may (buffered past its cap, decompressed past its limit). Always a failure. */
export class LimitViolation extends Error {
  override name = 'LimitViolation';
}

/** One mutation; the fields are interpreted modulo the input's size. */
export interface Mutation {
  kind: number;
  at: number;
  value: number;
  len: number;
}
export const MUTATION_KINDS = 11;

const INTERESTING_8 = [0x00, 0x01, 0x02, 0x04, 0x10, 0x7f, 0x80, 0xfd, 0xfe, 0xff];
const INTERESTING_32 = [0, 1, 0x7f, 0x80, 0xff, 0x100, 0xfd, 0xfffe, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, 4_000_001, 16_777_216];

/** Applies mutations to a copy of `input`; `other` is a second corpus entry for splices. */
export function mutate(input: Uint8Array, mutations: readonly Mutation[], other: Uint8Array, maxInput: number): Uint8Array {
  let b = Buffer.from(input);
  for (const m of mutations) {
    const at = b.length === 0 ? 0 : m.at % b.length;
    switch (m.kind % MUTATION_KINDS) {
      case 0: // flip a bit
        if (b.length) b[at] ^= 1 << (m.value & 7);
        break;
      case 1: // set a random byte
        if (b.length) b[at] = m.value & 0xff;
        break;
      case 2: // an interesting byte
        if (b.length) b[at] = INTERESTING_8[m.value % INTERESTING_8.length];
        break;
      case 3: { // an interesting 32-bit integer, either byte order
        if (b.length >= 4) {
          const v = INTERESTING_32[m.value % INTERESTING_32.length];
          const o = Math.min(at, b.length - 4);
          if (m.value & 0x100) b.writeUInt32BE(v >>> 0, o);
          else b.writeUInt32LE(v >>> 0, o);
        }
        break;
      }
      case 4: { // insert random bytes
        const ins = Buffer.alloc(1 + (m.len % 32));
        for (let i = 0; i < ins.length; i++) ins[i] = (m.value * (i + 7) * 2654435761) >>> 24;
        b = Buffer.concat([b.subarray(0, at), ins, b.subarray(at)]);
        break;
      }
      case 5: // delete a range
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + 1 + (m.len % 64))]);
        break;
      case 6: { // duplicate a range
        const end = Math.min(b.length, at + 1 + (m.len % 256));
        b = Buffer.concat([b.subarray(0, end), b.subarray(at, end), b.subarray(end)]);
        break;
      }
      case 7: { // splice in a piece of another input
        if (other.length) {
          const from = m.value % other.length;
          const piece = other.subarray(from, from + 1 + (m.len % 128));
          b = Buffer.concat([b.subarray(0, at), piece, b.subarray(at + piece.length)]);
        }
        break;
      }
      case 8: // truncate
        b = b.subarray(0, at);
        break;
      case 9: { // append random bytes
        const extra = Buffer.alloc(1 + (m.len % 64));
        for (let i = 0; i < extra.length; i++) extra[i] = (m.value * (i + 3) * 40503) >>> 8;
        b = Buffer.concat([b, extra]);
        break;
      }
      case 10: // copy a byte from elsewhere in the input
        if (b.length) b[at] = b[m.value % b.length];
        break;
    }
  }
  return b.length > maxInput ? b.subarray(0, maxInput) : b;
}

const root = path.dirname(fileURLToPath(import.meta.url));

/** The corpus of a target: fuzz/corpus/<name>/*.hex (one input per file, hex, whitespace ignored). */
export function loadCorpus(name: string): { file: string; bytes: Uint8Array }[] {
  const dir = path.join(root, 'corpus', name);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.hex'))
    .sort()
    .map((f) => ({ file: f, bytes: Uint8Array.from(Buffer.from(readFileSync(path.join(dir, f), 'utf8').replace(/\s+/g, ''), 'hex')) }));
}

/** The outcome of one input: undefined when fine, else what went wrong. */
export async function runOne(target: FuzzTarget, input: Uint8Array, hangMs: number): Promise<{ problem: string; ms: number } | { problem?: undefined; ms: number; typedError?: string }> {
  const started = performance.now();
  let typedError: string | undefined;
  try {
    const r = target.run(input);
    if (r instanceof Promise) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([r, new Promise((_, reject) => (timer = setTimeout(() => reject(new LimitViolation(`hang: no answer in ${hangMs} ms`)), hangMs)))]).finally(() => clearTimeout(timer));
    }
  } catch (err) {
    if (err instanceof LimitViolation || !target.typed(err)) {
      return { problem: `${(err as Error)?.name ?? 'throw'}: ${(err as Error)?.message ?? String(err)}`, ms: performance.now() - started };
    }
    typedError = errorKind(err);
  }
  const ms = performance.now() - started;
  if (ms > hangMs) return { problem: `hang: ${Math.round(ms)} ms for one input`, ms };
  return { ms, typedError };
}

function errorKind(err: unknown): string {
  const e = err as { name?: string; reason?: string; kind?: string };
  return `${e?.name ?? 'Error'}${e?.reason ? `:${e.reason}` : e?.kind ? `:${e.kind}` : ''}`;
}

/** A small, fast, seeded generator (xorshift32) for the long runs. */
export function rng(seed: number): () => number {
  let x = seed >>> 0 || 0x9e3779b9;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

export interface FuzzReport {
  target: string;
  inputs: number;
  corpus: number;
  ms: number;
  /** Typed errors by kind (what the decoder refused, and how). */
  outcomes: Record<string, number>;
  slowestMs: number;
  heapHighMB: number;
  rssHighMB: number;
  problems: { input: string; problem: string }[];
}

/** Runs `inputs` mutated inputs through a target with a seeded generator. */
export async function fuzz(target: FuzzTarget, inputs: number, seed = 1, onProgress?: (done: number) => void, hangMs = 2_000): Promise<FuzzReport> {
  const corpus = loadCorpus(target.name).map((c) => c.bytes);
  const next = rng(seed);
  const outcomes: Record<string, number> = {};
  const problems: FuzzReport['problems'] = [];
  let slowestMs = 0;
  let heapHigh = 0;
  let rssHigh = 0;
  const started = performance.now();
  for (let i = 0; i < inputs; i++) {
    const base = corpus[next() % corpus.length];
    const other = corpus[next() % corpus.length];
    const count = 1 + (next() % 4);
    const mutations: Mutation[] = [];
    // One input in 16 is a seed as it is (they must decode), the rest are mutated.
    if (i % 16 !== 0) for (let m = 0; m < count; m++) mutations.push({ kind: next(), at: next(), value: next(), len: next() });
    let input = mutate(base, mutations, other, target.maxInput ?? 65_536);
    if (target.fixup) input = target.fixup(input);
    const r = await runOne(target, input, hangMs);
    if (r.ms > slowestMs) slowestMs = r.ms;
    if (r.problem !== undefined) {
      if (problems.length < 20) problems.push({ input: Buffer.from(input).toString('hex'), problem: r.problem });
      outcomes.problem = (outcomes.problem ?? 0) + 1;
    } else {
      const k = r.typedError ?? 'decoded';
      outcomes[k] = (outcomes[k] ?? 0) + 1;
    }
    if ((i & 0x3fff) === 0) {
      const mem = process.memoryUsage();
      heapHigh = Math.max(heapHigh, mem.heapUsed);
      rssHigh = Math.max(rssHigh, mem.rss);
      onProgress?.(i);
    }
  }
  const mem = process.memoryUsage();
  return {
    target: target.name, inputs, corpus: corpus.length, ms: Math.round(performance.now() - started), outcomes,
    slowestMs: Math.round(slowestMs * 10) / 10,
    heapHighMB: Math.round(Math.max(heapHigh, mem.heapUsed) / 1e6), rssHighMB: Math.round(Math.max(rssHigh, mem.rss) / 1e6),
    problems,
  };
}
