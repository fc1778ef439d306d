import { createHash } from 'node:crypto';
import { InvType, MAX_HEADERS, blockHash, hashFromHex, hashToHex, type BlockHeader, type HeadersMessage, type InvMessage } from '@peerscope/bitcoin';

/** Regtest's genesis block header (chainparams.cpp CRegTestParams), so heights count from the real genesis. */
const REGTEST_GENESIS: BlockHeader = {
  version: 1,
  prevBlock: new Uint8Array(32),
  merkleRoot: hashFromHex('4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b'),
  time: 1296688602,
  bits: 0x207fffff,
  nonce: 2,
};
export const REGTEST_GENESIS_HASH = '0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206';

/** Core (net_processing.cpp MAX_BLOCKS_TO_ANNOUNCE): more new blocks than this are announced by inv. */
const MAX_BLOCKS_TO_ANNOUNCE = 8;

/** BIP9 version bits, as Core's miner sets them. */
const BLOCK_VERSION = 0x20000000;

/**
 * A header-only chain shared by every simulated peer: each new header points at the previous one's
 * hash, so a client placing headers by parent (BestHeight) sees consecutive heights. Headers satisfy
 * regtest's proof of work (bits 0x207fffff: the hash's top byte ≤ 0x7f), so even a checking client accepts them.
 */
export class VirtualChain {
  private readonly headers: BlockHeader[] = [REGTEST_GENESIS];
  private readonly hashes: Uint8Array[] = [blockHash(REGTEST_GENESIS)];
  private readonly heightOf = new Map<string, number>([[REGTEST_GENESIS_HASH, 0]]);

  get height(): number {
    return this.headers.length - 1;
  }

  hash(height: number): Uint8Array {
    return this.hashes[height];
  }

  /** Headers of heights from..to, inclusive. */
  range(from: number, to: number): BlockHeader[] {
    return this.headers.slice(from, to + 1);
  }

  /** Height of a hash (wire order) on this chain, if it is one. */
  find(hash: Uint8Array): number | undefined {
    return this.heightOf.get(hashToHex(hash));
  }

  /**
   * Core's getheaders answer (net_processing.cpp ProcessGetHeaders): from the first locator hash on
   * this chain (else genesis, as Core falls back to), up to `tip`, `hashStop` or MAX_HEADERS_RESULTS.
   */
  headersAfter(locator: readonly Uint8Array[], hashStop: Uint8Array, tip: number): BlockHeader[] {
    let from = 0;
    for (const h of locator) {
      const at = this.find(h);
      if (at !== undefined && at <= tip) {
        from = at;
        break;
      }
    }
    const stop = this.find(hashStop);
    const to = Math.min(tip, from + MAX_HEADERS, stop !== undefined ? stop : Infinity);
    return to > from ? this.range(from + 1, to) : [];
  }

  /**
   * How Core tells a peer that knows up to `announced` about blocks up to `tip`: their headers (BIP130)
   * when it asked with sendheaders and they are few, else an inv of the tip only. A key names the
   * answer, so callers can encode it once for every peer in the same position.
   */
  announcement(announced: number, tip: number, sendheaders: boolean): { key: string; message: HeadersMessage | InvMessage } {
    const byHeaders = sendheaders && tip - announced <= MAX_BLOCKS_TO_ANNOUNCE;
    return {
      key: `${byHeaders ? 'h' : 'i'}${announced}-${tip}`,
      message: byHeaders
        ? { command: 'headers', headers: this.range(announced + 1, tip) }
        : { command: 'inv', items: [{ type: InvType.BLOCK, hash: this.hash(tip) }] },
    };
  }

  /**
   * Appends one header on the tip; returns its height. Processes that must build the same chain (the
   * shards of one simulated network) pass the same `time` (seconds) for each block: the hash covers it.
   */
  mine(time = Math.floor(Date.now() / 1000)): number {
    const height = this.headers.length;
    const prev = this.headers[height - 1];
    const header: BlockHeader = {
      version: BLOCK_VERSION,
      prevBlock: this.hashes[height - 1],
      // No transactions are simulated: a root unique per height keeps every hash distinct.
      merkleRoot: createHash('sha256').update(`simnet block ${height}`).digest(),
      time: Math.max(prev.time + 1, time),
      bits: REGTEST_GENESIS.bits,
      nonce: 0,
    };
    let hash = blockHash(header);
    while (hash[31] > 0x7f) {
      header.nonce++;
      hash = blockHash(header);
    }
    this.headers.push(header);
    this.hashes.push(hash);
    this.heightOf.set(hashToHex(hash), height);
    return height;
  }
}
