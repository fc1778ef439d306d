import { jsDoubleSha256 } from './sha256.js';

/** An 80-byte block header. Hashes are in wire order (hashToHex for the usual display). */
export interface BlockHeader {
  version: number;
  prevBlock: Uint8Array;
  merkleRoot: Uint8Array;
  /** Seconds since 1970 (uint32). */
  time: number;
  /** Compact difficulty target. */
  bits: number;
  nonce: number;
}

export const BLOCK_HEADER_SIZE = 80;

/** Writes the 80 serialized bytes of `h` to out[offset, offset+80). */
export function writeBlockHeader(h: BlockHeader, out: Uint8Array, offset = 0): void {
  if (h.prevBlock.length !== 32 || h.merkleRoot.length !== 32) throw new RangeError('block header hashes must be 32 bytes');
  const dv = new DataView(out.buffer, out.byteOffset + offset, BLOCK_HEADER_SIZE);
  dv.setInt32(0, h.version, true);
  out.set(h.prevBlock, offset + 4);
  out.set(h.merkleRoot, offset + 36);
  dv.setUint32(68, h.time, true);
  dv.setUint32(72, h.bits, true);
  dv.setUint32(76, h.nonce, true);
}

const scratch = new Uint8Array(BLOCK_HEADER_SIZE);

/**
 * The block hash: hash256 of the 80 header bytes, in wire order. Computed on demand rather than
 * while decoding a headers message: 2000 hashes would be most of the decode time, and a caller
 * that only counts headers or reads the last one does not need them.
 */
export function blockHash(h: BlockHeader): Uint8Array {
  writeBlockHeader(h, scratch);
  return jsDoubleSha256(scratch, 0, BLOCK_HEADER_SIZE, new Uint8Array(32));
}
