import { describe, expect, it } from 'vitest';
import { BestHeight, BlockHeights } from '../src/index.js';
import { blockHash, type BlockHeader } from '../src/wire/block-header.js';
import { hashToHex } from '../src/wire/hash.js';
import { MAX_REMEMBERED } from '../src/protocol/best-height.js';

/** A chain of n headers on `parent`, each with a distinct nonce. */
function chain(parent: Uint8Array, n: number, salt = 0): BlockHeader[] {
  const out: BlockHeader[] = [];
  let prev = parent;
  for (let i = 0; i < n; i++) {
    const h: BlockHeader = { version: 4, prevBlock: prev, merkleRoot: new Uint8Array(32), time: 1_700_000_000 + i, bits: 0x207fffff, nonce: salt * 1_000_000 + i };
    out.push(h);
    prev = blockHash(h);
  }
  return out;
}

describe('best height from announcements, block heights shared by the peers of a thread', () => {
  it('places headers by parent, and a second peer announcing the same block by inv gets its height', () => {
    const known = new BlockHeights();
    const a = new BestHeight(100, known);
    const b = new BestHeight(100, known);
    const headers = chain(new Uint8Array(32), 3);
    expect(a.headers(headers)).toBe(103);
    // b hears of the second block only (an inv): its height is known, not b's tip + 1.
    expect(b.announced(hashToHex(blockHash(headers[1])))).toBe(102);
    expect(b.announced(hashToHex(blockHash(headers[1])))).toBeUndefined();
    expect(b.headers(headers)).toBe(103);
    expect(known.size).toBe(3);
  });

  it('a header on an unknown parent, or an unknown inv, extends that peer tip', () => {
    const known = new BlockHeights();
    const peer = new BestHeight(50, known);
    expect(peer.announced('ab'.repeat(32))).toBe(51);
    expect(peer.headers(chain(new Uint8Array(32).fill(7), 1))).toBe(52);
  });

  it('remembers a bounded number of blocks however many are announced', () => {
    const known = new BlockHeights();
    const peer = new BestHeight(0, known);
    const headers = chain(new Uint8Array(32), MAX_REMEMBERED + 100, 1);
    expect(peer.headers(headers)).toBe(MAX_REMEMBERED + 100);
    expect(known.size).toBe(MAX_REMEMBERED);
  });
});
