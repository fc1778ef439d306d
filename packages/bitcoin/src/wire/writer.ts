import { HEADER_SIZE } from './limits.js';

const utf8 = new TextEncoder();

/**
 * Builds one frame. The first HEADER_SIZE bytes are left for the header, written once the payload
 * length and checksum are known, so the frame is assembled without a second copy.
 * Encoding validates ranges and throws RangeError/TypeError: a bad message is our bug, not the peer's.
 */
export class PayloadWriter {
  buf: Uint8Array;
  pos = HEADER_SIZE;
  private view: DataView;

  constructor(capacity = 256) {
    this.buf = new Uint8Array(HEADER_SIZE + capacity);
    this.view = new DataView(this.buf.buffer);
  }

  private ensure(n: number): number {
    const at = this.pos;
    if (at + n > this.buf.length) {
      let size = this.buf.length * 2;
      while (size < at + n) size *= 2;
      const next = new Uint8Array(size);
      next.set(this.buf.subarray(0, at));
      this.buf = next;
      this.view = new DataView(next.buffer);
    }
    this.pos = at + n;
    return at;
  }

  /** Bytes of payload written so far. */
  get payloadLength(): number {
    return this.pos - HEADER_SIZE;
  }

  u8(v: number): this {
    checkInt(v, 0, 0xff, 'uint8');
    const p = this.ensure(1);
    this.buf[p] = v;
    return this;
  }

  bool(v: boolean): this {
    const p = this.ensure(1);
    this.buf[p] = v ? 1 : 0;
    return this;
  }

  u16be(v: number): this {
    checkInt(v, 0, 0xffff, 'uint16');
    const p = this.ensure(2);
    this.view.setUint16(p, v, false);
    return this;
  }

  u32le(v: number): this {
    checkInt(v, 0, 0xffffffff, 'uint32');
    const p = this.ensure(4);
    this.view.setUint32(p, v, true);
    return this;
  }

  i32le(v: number): this {
    checkInt(v, -0x80000000, 0x7fffffff, 'int32');
    const p = this.ensure(4);
    this.view.setInt32(p, v, true);
    return this;
  }

  u64le(v: bigint): this {
    if (typeof v !== 'bigint' || v < 0n || v > 0xffffffffffffffffn) throw new RangeError(`not a uint64: ${v}`);
    const p = this.ensure(8);
    this.view.setBigUint64(p, v, true);
    return this;
  }

  i64le(v: bigint): this {
    if (typeof v !== 'bigint' || v < -0x8000000000000000n || v > 0x7fffffffffffffffn) throw new RangeError(`not an int64: ${v}`);
    const p = this.ensure(8);
    this.view.setBigInt64(p, v, true);
    return this;
  }

  /** CompactSize, always in its shortest (canonical) form. */
  compactSize(v: number | bigint): this {
    const n = BigInt(v);
    if (n < 0n || n > 0xffffffffffffffffn) throw new RangeError(`not a CompactSize: ${v}`);
    if (n < 0xfdn) return this.u8(Number(n));
    if (n <= 0xffffn) {
      const p = this.ensure(3);
      this.buf[p] = 0xfd;
      this.view.setUint16(p + 1, Number(n), true);
      return this;
    }
    if (n <= 0xffffffffn) {
      const p = this.ensure(1);
      this.buf[p] = 0xfe;
      return this.u32le(Number(n));
    }
    const p = this.ensure(1);
    this.buf[p] = 0xff;
    return this.u64le(n);
  }

  bytes(data: Uint8Array, length?: number): this {
    if (length !== undefined && data.length !== length) {
      throw new RangeError(`expected ${length} bytes, got ${data.length}`);
    }
    const p = this.ensure(data.length);
    this.buf.set(data, p);
    return this;
  }

  /** CompactSize length + UTF-8 bytes, at most `max` bytes. */
  varString(s: string, max: number): this {
    const data = utf8.encode(s);
    if (data.length > max) throw new RangeError(`string of ${data.length} bytes over the limit of ${max}`);
    return this.compactSize(data.length).bytes(data);
  }
}

function checkInt(v: number, min: number, max: number, what: string): void {
  if (!Number.isInteger(v) || v < min || v > max) throw new RangeError(`not a ${what}: ${v}`);
}
