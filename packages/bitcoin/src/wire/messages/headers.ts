import { BLOCK_HEADER_SIZE, writeBlockHeader, type BlockHeader } from '../block-header.js';
import { malformed } from '../errors.js';
import { MAX_HEADERS } from '../limits.js';
import type { MessageCodec } from '../message-codec.js';

/**
 * Block headers, each followed by a transaction count that must be 0 (btcd rejects others; Core
 * reads and ignores it). More than MAX_HEADERS headers is malformed (Core: misbehaving).
 */
export interface HeadersMessage {
  command: 'headers';
  headers: BlockHeader[];
}

export const headers: MessageCodec<HeadersMessage> = {
  command: 'headers',
  decode(r) {
    const n = r.count(MAX_HEADERS, 'header count');
    const out = new Array<BlockHeader>(n);
    const b = r.buf;
    const ab = b.buffer;
    const base = b.byteOffset;
    for (let i = 0; i < n; i++) {
      const o = r.take(BLOCK_HEADER_SIZE + 1, 'block header');
      out[i] = {
        version: b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24),
        prevBlock: new Uint8Array(ab, base + o + 4, 32),
        merkleRoot: new Uint8Array(ab, base + o + 36, 32),
        time: (b[o + 68] | (b[o + 69] << 8) | (b[o + 70] << 16) | (b[o + 71] << 24)) >>> 0,
        bits: (b[o + 72] | (b[o + 73] << 8) | (b[o + 74] << 16) | (b[o + 75] << 24)) >>> 0,
        nonce: (b[o + 76] | (b[o + 77] << 8) | (b[o + 78] << 16) | (b[o + 79] << 24)) >>> 0,
      };
      // The tx count: 0 is the single byte 0x00; any other first byte is a non-zero count.
      if (b[o + 80] !== 0) throw malformed(`headers: header ${i} has a non-zero transaction count`);
    }
    return { command: 'headers', headers: out };
  },
  encode(m, w) {
    if (m.headers.length > MAX_HEADERS) throw new RangeError(`headers: ${m.headers.length} entries over ${MAX_HEADERS}`);
    w.compactSize(m.headers.length);
    const raw = new Uint8Array(BLOCK_HEADER_SIZE + 1);
    for (const h of m.headers) {
      writeBlockHeader(h, raw);
      w.bytes(raw);
    }
  },
};
