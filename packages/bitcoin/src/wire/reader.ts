import { malformed } from './errors.js';

const utf8 = new TextDecoder('utf-8');

/**
 * BigInts below 2^16, made once: every addr entry carries its services as a CompactSize (0x409 for a
 * current Core node), and a crawl reads millions of them; each BigInt() is a heap allocation.
 */
const SMALL_BIGINTS: (bigint | undefined)[] = [];
function smallBigInt(v: number): bigint {
  return (SMALL_BIGINTS[v] ??= BigInt(v));
}

/**
 * Reads one payload. Every read is bounds-checked and fails with a 'malformed' ProtocolError.
 * The payload buffer is owned by the decoded message (the frame decoder copies it out of the
 * socket chunks), so hashes and raw bytes are returned as views into it, not copies.
 */
export class PayloadReader {
  pos = 0;
  private view: DataView | undefined;

  constructor(
    readonly buf: Uint8Array,
    readonly command: string,
  ) {}

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  /** Advances over n bytes; returns where they start. */
  take(n: number, what: string): number {
    const at = this.pos;
    if (this.buf.length - at < n) {
      throw malformed(`${this.command}: truncated ${what} at byte ${at} (need ${n}, have ${this.buf.length - at})`);
    }
    this.pos = at + n;
    return at;
  }

  private dv(): DataView {
    return (this.view ??= new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength));
  }

  u8(what = 'uint8'): number {
    return this.buf[this.take(1, what)];
  }

  u16le(what = 'uint16'): number {
    const p = this.take(2, what);
    return this.buf[p] | (this.buf[p + 1] << 8);
  }

  /** Ports are big-endian on the wire (network byte order), unlike everything else. */
  u16be(what = 'port'): number {
    const p = this.take(2, what);
    return (this.buf[p] << 8) | this.buf[p + 1];
  }

  u32le(what = 'uint32'): number {
    const p = this.take(4, what);
    const b = this.buf;
    return (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0;
  }

  i32le(what = 'int32'): number {
    const p = this.take(4, what);
    const b = this.buf;
    return b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24);
  }

  u64le(what = 'uint64'): bigint {
    return this.dv().getBigUint64(this.take(8, what), true);
  }

  i64le(what = 'int64'): bigint {
    return this.dv().getBigInt64(this.take(8, what), true);
  }

  bool(what = 'bool'): boolean {
    return this.buf[this.take(1, what)] !== 0;
  }

  /**
   * CompactSize as a bigint. Core rejects non-canonical encodings ("non-canonical ReadCompactSize()"),
   * so a value that would fit in a shorter form is malformed.
   */
  compactSizeBig(what = 'CompactSize'): bigint {
    const first = this.u8(what);
    if (first < 0xfd) return smallBigInt(first);
    if (first === 0xfd) {
      const v = this.u16le(what);
      if (v < 0xfd) throw malformed(`${this.command}: non-canonical CompactSize ${v} in 3 bytes (${what})`);
      return smallBigInt(v);
    }
    if (first === 0xfe) {
      const v = this.u32le(what);
      if (v <= 0xffff) throw malformed(`${this.command}: non-canonical CompactSize ${v} in 5 bytes (${what})`);
      return BigInt(v);
    }
    const v = this.u64le(what);
    if (v <= 0xffffffffn) throw malformed(`${this.command}: non-canonical CompactSize ${v} in 9 bytes (${what})`);
    return v;
  }

  /** Passes over a CompactSize, checked canonical as compactSizeBig checks it, without making its value. */
  skipCompactSize(what: string): void {
    const p = this.pos;
    if (p < this.buf.length && this.buf[p] < 0xfd) this.pos = p + 1;
    else this.compactSizeBig(what);
  }

  /** CompactSize used as a count or length: canonical and at most `max`. */
  count(max: number, what: string): number {
    const b = this.buf;
    const p = this.pos;
    // Fast path: a one-byte CompactSize (counts below 253 are the common case).
    if (p < b.length && b[p] < 0xfd) {
      const v = b[p];
      if (v > max) throw malformed(`${this.command}: ${what} ${v} over the limit of ${max}`);
      this.pos = p + 1;
      return v;
    }
    const v = this.compactSizeBig(what);
    if (v > BigInt(max)) throw malformed(`${this.command}: ${what} ${v} over the limit of ${max}`);
    return Number(v);
  }

  /** A view of the next n bytes (no copy: the payload belongs to the message). */
  bytes(n: number, what = 'bytes'): Uint8Array {
    const p = this.take(n, what);
    return new Uint8Array(this.buf.buffer, this.buf.byteOffset + p, n);
  }

  hash(what = 'hash'): Uint8Array {
    const p = this.take(32, what);
    return new Uint8Array(this.buf.buffer, this.buf.byteOffset + p, 32);
  }

  /** A CompactSize-prefixed string of at most `max` bytes, decoded as UTF-8 (invalid bytes become U+FFFD). */
  varString(max: number, what: string): string {
    const n = this.count(max, `${what} length`);
    if (n === 0) return '';
    const p = this.take(n, what);
    return utf8.decode(this.buf.subarray(p, p + n));
  }

  /** Everything left. */
  rest(): Uint8Array {
    return this.bytes(this.remaining, 'rest');
  }

  /** Fails when bytes are left over after a message that has a fixed end. */
  end(): void {
    if (this.pos !== this.buf.length) {
      throw malformed(`${this.command}: ${this.buf.length - this.pos} trailing byte(s) after the message`);
    }
  }
}
