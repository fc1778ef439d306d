import { blockHash, type BlockHeader } from '../wire/block-header.js';
import { hashToHex } from '../wire/hash.js';

/** Hashes remembered per peer to place announced blocks; older ones are dropped. */
const MAX_REMEMBERED = 4_096;

/**
 * A peer's best height from what it announces, without keeping a chain: a header whose parent we have
 * placed is one above it; any other newly announced block (inv, or a header on an unknown parent) is
 * taken to extend the peer's tip. Exact for a peer announcing blocks as they arrive (BIP130 headers or
 * inv), which is what a monitor sees after the handshake.
 */
export class BestHeight {
  private readonly heights = new Map<string, number>();
  best: number;

  constructor(startHeight: number) {
    this.best = startHeight;
  }

  /** A block announced by hash (inv). Returns the new best height if it rose. */
  announced(hashHex: string): number | undefined {
    if (this.heights.has(hashHex)) return undefined;
    return this.place(hashHex, this.best + 1);
  }

  /** Headers, in chain order. Returns the new best height if it rose. */
  headers(headers: readonly BlockHeader[]): number | undefined {
    let rose: number | undefined;
    for (const h of headers) {
      const hash = hashToHex(blockHash(h));
      if (this.heights.has(hash)) continue;
      const parent = this.heights.get(hashToHex(h.prevBlock));
      const r = this.place(hash, parent !== undefined ? parent + 1 : this.best + 1);
      if (r !== undefined) rose = r;
    }
    return rose;
  }

  private place(hash: string, height: number): number | undefined {
    this.heights.set(hash, height);
    if (this.heights.size > MAX_REMEMBERED) this.heights.delete(this.heights.keys().next().value!);
    if (height <= this.best) return undefined;
    this.best = height;
    return height;
  }
}
