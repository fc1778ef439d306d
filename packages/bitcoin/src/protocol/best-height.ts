import { blockHash, type BlockHeader } from '../wire/block-header.js';
import { hashToHex } from '../wire/hash.js';

/** Block hashes remembered with their heights, for all peers of a thread; older ones are dropped. */
export const MAX_REMEMBERED = 4_096;

/**
 * Heights of announced blocks, shared by every peer of a thread: a block's height is the same whoever
 * announces it, so 10,000 peers announcing one block cost one entry, not 10,000.
 */
export class BlockHeights {
  private readonly heights = new Map<string, number>();

  get(hash: string): number | undefined {
    return this.heights.get(hash);
  }

  set(hash: string, height: number): void {
    if (this.heights.has(hash)) return;
    this.heights.set(hash, height);
    if (this.heights.size > MAX_REMEMBERED) this.heights.delete(this.heights.keys().next().value!);
  }

  get size(): number {
    return this.heights.size;
  }
}

const shared = new BlockHeights();

/**
 * A peer's best height from what it announces, without keeping a chain: a block already placed has its
 * height; a header whose parent was placed is one above it; any other newly announced block (inv, or a
 * header on an unknown parent) is taken to extend the peer's tip. Exact for a peer announcing blocks as
 * they arrive (BIP130 headers or inv), which is what a monitor sees after the handshake.
 */
export class BestHeight {
  best: number;

  constructor(
    startHeight: number,
    private readonly known: BlockHeights = shared,
  ) {
    this.best = startHeight;
  }

  /** The height of a block announced before (by any peer of this thread), if known. */
  heightOf(hashHex: string): number | undefined {
    return this.known.get(hashHex);
  }

  /** A block announced by hash (inv). Returns the new best height if it rose. */
  announced(hashHex: string): number | undefined {
    const height = this.known.get(hashHex) ?? this.place(hashHex, this.best + 1);
    return this.raise(height);
  }

  /** Headers, in chain order. Returns the new best height if it rose. */
  headers(headers: readonly BlockHeader[]): number | undefined {
    let rose: number | undefined;
    for (const h of headers) {
      const hash = hashToHex(blockHash(h));
      let height = this.known.get(hash);
      if (height === undefined) {
        const parent = this.known.get(hashToHex(h.prevBlock));
        height = this.place(hash, parent !== undefined ? parent + 1 : this.best + 1);
      }
      rose = this.raise(height) ?? rose;
    }
    return rose;
  }

  private place(hash: string, height: number): number {
    this.known.set(hash, height);
    return height;
  }

  private raise(height: number): number | undefined {
    if (height <= this.best) return undefined;
    this.best = height;
    return height;
  }
}
