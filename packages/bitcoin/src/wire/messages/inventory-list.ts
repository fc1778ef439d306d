import { MAX_INV } from '../limits.js';
import type { PayloadReader } from '../reader.js';
import type { PayloadWriter } from '../writer.js';

/**
 * One inventory vector: a type (see InvType) and a hash in wire order (hashToHex for display).
 * The hash is a view into the frame's payload buffer (cheap to decode): `slice()` it before keeping
 * it for long or posting it to another thread, which would otherwise copy the whole buffer.
 */
export interface InvItem {
  type: number;
  hash: Uint8Array;
}

/** The body shared by inv, getdata and notfound. More than MAX_INV entries is malformed. */
export function readInvList(r: PayloadReader): InvItem[] {
  const n = r.count(MAX_INV, 'inventory count');
  const p = r.take(n * 36, 'inventory');
  const b = r.buf;
  const ab = b.buffer;
  const base = b.byteOffset;
  const items = new Array<InvItem>(n);
  for (let i = 0, o = p; i < n; i++, o += 36) {
    items[i] = {
      type: (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0,
      hash: new Uint8Array(ab, base + o + 4, 32),
    };
  }
  return items;
}

export function writeInvList(w: PayloadWriter, command: string, items: readonly InvItem[]): void {
  if (items.length > MAX_INV) throw new RangeError(`${command}: ${items.length} entries over ${MAX_INV}`);
  w.compactSize(items.length);
  for (const item of items) w.u32le(item.type).bytes(item.hash, 32);
}
