import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BitcoinCodec, MAINNET, type BitcoinMessage } from '../src/wire/index.js';
import { anyMessage } from './arbitraries.js';
import { concat, plain } from './helpers.js';

const newCodec = () => new BitcoinCodec({ magic: MAINNET.magic });

function encodeAll(ms: BitcoinMessage[]): Uint8Array {
  const c = newCodec();
  return concat(ms.map((m) => c.encode(m).bytes));
}

/** Decodes the stream fed as the pieces between the cut points. */
function feed(stream: Uint8Array, cuts: number[]): unknown[] {
  const c = newCodec();
  const out: unknown[] = [];
  let prev = 0;
  for (const cut of [...cuts, stream.length]) {
    for (const d of c.decode(stream.subarray(prev, cut))) out.push(d);
    prev = cut;
  }
  expect(c.buffered).toBe(0);
  return plain(out) as unknown[];
}

const small: BitcoinMessage[] = [
  { command: 'verack' },
  { command: 'ping', nonce: 0x1122334455667788n },
  { command: 'inv', items: [{ type: 1, hash: new Uint8Array(32).fill(0xab) }] },
  { command: 'sendcmpct', announce: true, version: 2n },
];

describe('any split of the stream yields the same messages', () => {
  const stream = encodeAll(small);
  const expected = feed(stream, []);

  it('whole', () => {
    expect(expected.map((d) => (d as { command: string }).command)).toEqual(['verack', 'ping', 'inv', 'sendcmpct']);
    expect(expected.map((d) => (d as { size: number }).size)).toEqual([24, 32, 61, 33]);
  });

  it('one byte at a time', () => {
    expect(feed(stream, Array.from({ length: stream.length - 1 }, (_, i) => i + 1))).toEqual(expected);
  });

  it(`every cut into two pieces (exhaustive, ${stream.length + 1} cuts)`, () => {
    for (let i = 0; i <= stream.length; i++) expect(feed(stream, [i])).toEqual(expected);
  });

  it('every cut into three pieces (exhaustive)', () => {
    for (let i = 0; i <= stream.length; i++) {
      for (let j = i; j <= stream.length; j++) expect(feed(stream, [i, j])).toEqual(expected);
    }
  });

  it('random messages, random splits (fast-check)', () => {
    fc.assert(fc.property(
      fc.array(anyMessage, { minLength: 1, maxLength: 12 }),
      fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 40 }),
      (ms, fractions) => {
        const s = encodeAll(ms);
        const cuts = fractions.map((f) => Math.floor(f * s.length)).sort((a, b) => a - b);
        const got = feed(s, cuts);
        expect(got).toEqual(feed(s, []));
        expect(got.map((d) => (d as { message: unknown }).message)).toEqual(plain(ms));
      },
    ), { numRuns: 200 });
  });

  it('large frames (above the no-copy threshold) in random splits and in 1,460-byte chunks', () => {
    const big: BitcoinMessage[] = [
      { command: 'block', raw: Uint8Array.from({ length: 300_000 }, (_, i) => (i * 7) & 255) },
      { command: 'ping', nonce: 1n },
      { command: 'headers', headers: Array.from({ length: 2000 }, (_, i) => ({ version: i, prevBlock: new Uint8Array(32).fill(i & 255), merkleRoot: new Uint8Array(32), time: i, bits: 0x1d00ffff, nonce: i })) },
      { command: 'tx', raw: new Uint8Array(70_000).fill(3) },
    ];
    const s = encodeAll(big);
    const expectedBig = feed(s, []);
    expect(expectedBig.map((d) => (d as { message: unknown }).message)).toEqual(plain(big));
    expect(feed(s, Array.from({ length: Math.floor(s.length / 1460) }, (_, i) => (i + 1) * 1460))).toEqual(expectedBig);
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: s.length }), { maxLength: 20 }), (cuts) => {
      expect(feed(s, [...cuts].sort((a, b) => a - b))).toEqual(expectedBig);
    }), { numRuns: 30 });
  });
});
