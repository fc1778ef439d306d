import { ProtocolError } from '@peerscope/engine/protocol';
import { readCommand } from './command.js';
import { createHash, type Hash } from 'node:crypto';
import { checksumOf, finishChecksum } from './hash.js';
import { HEADER_SIZE, MAX_PAYLOAD } from './limits.js';
import { networkByMagic } from './networks.js';

/** One checked frame: its command and its payload (copied out of the input chunks, or see ALIAS_MIN). */
export interface Frame {
  command: string;
  payload: Uint8Array;
}

const EMPTY = new Uint8Array(0);

/**
 * A payload at least this large that arrives within one chunk is not copied: the message's bytes
 * are a view of the chunk. Copying 1 MB costs ~20% of hashing it, and such a chunk is mostly that one
 * frame, so the view retains little else. Smaller payloads are copied so a decoded ping or inv never
 * pins a large socket read. Node's net.Socket hands out a fresh buffer per 'data' event, never reused.
 */
export const ALIAS_MIN = 64 * 1024;

/** Bytes copied between two hash updates of a large payload: small enough to still be in L2. */
const HASH_STEP = 128 * 1024;

/**
 * Splits a byte stream into frames: 4-byte magic, 12-byte command, payload length (uint32 LE),
 * checksum (first 4 bytes of hash256(payload)). Any split of the stream yields the same frames.
 *
 * There is no resynchronisation: a bad magic, an invalid command, a length over `maxPayload` or a
 * bad checksum throws a ProtocolError and the decoder stays failed (every later call rethrows), as
 * Core disconnects. The length is checked from the header alone, before any payload is buffered,
 * so memory per connection is bounded by `maxPayload` + 24. A payload split over chunks is copied
 * once, into a buffer of exactly its length (no concatenation per chunk).
 *
 * Chunks must not be modified after they are pushed: large payloads may be views of them (ALIAS_MIN).
 */
export class FrameDecoder {
  private readonly head = new Uint8Array(HEADER_SIZE);
  private headFill = 0;
  /** The payload being filled, or null while reading a header. */
  private payload: Uint8Array | null = null;
  private payloadFill = 0;
  private command = '';
  private length = 0;
  private checksum = 0;
  private failure: ProtocolError | null = null;
  /** For large payloads arriving in pieces: SHA-256 fed while the bytes just copied are in cache. */
  private hasher: Hash | null = null;
  private hashed = 0;

  constructor(
    readonly magic: number,
    readonly maxPayload: number = MAX_PAYLOAD,
    /** Payloads this large within one chunk are views of it; Infinity: always copied (chunks are reused). */
    private readonly aliasMin: number = ALIAS_MIN,
  ) {
    this.magic = magic >>> 0;
  }

  /** Bytes held for an incomplete frame. */
  get buffered(): number {
    return this.payload === null ? this.headFill : HEADER_SIZE + this.payloadFill;
  }

  /** Feeds bytes; returns the frames they complete. */
  push(chunk: Uint8Array): Frame[] {
    if (this.failure !== null) throw this.failure;
    try {
      return this.run(chunk);
    } catch (e) {
      if (e instanceof ProtocolError) this.failure = e;
      throw e;
    }
  }

  private run(chunk: Uint8Array): Frame[] {
    const out: Frame[] = [];
    const n = chunk.length;
    let off = 0;
    while (off < n) {
      let payload = this.payload;
      if (payload === null) {
        if (this.headFill === 0 && n - off >= HEADER_SIZE) {
          this.parseHeader(chunk, off);
          off += HEADER_SIZE;
        } else {
          const take = Math.min(HEADER_SIZE - this.headFill, n - off);
          this.head.set(chunk.subarray(off, off + take), this.headFill);
          this.headFill += take;
          off += take;
          if (this.headFill < HEADER_SIZE) {
            // Fail on a wrong magic as soon as it is visible rather than waiting for 24 bytes.
            if (this.headFill >= 4) this.checkMagic(this.head, 0);
            break;
          }
          this.headFill = 0;
          this.parseHeader(this.head, 0);
        }
        const len = this.length;
        if (len === 0) {
          out.push(this.finish(EMPTY));
          continue;
        }
        if (n - off >= len) {
          let p: Uint8Array;
          if (len >= this.aliasMin) {
            p = chunk.subarray(off, off + len);
          } else {
            p = Buffer.allocUnsafe(len);
            p.set(chunk.subarray(off, off + len));
          }
          off += len;
          out.push(this.finish(p));
          continue;
        }
        payload = this.payload = Buffer.allocUnsafe(len);
        this.payloadFill = 0;
        if (len >= ALIAS_MIN) {
          this.hasher = createHash('sha256');
          this.hashed = 0;
        }
      }
      const take = Math.min(this.length - this.payloadFill, n - off);
      payload.set(take === n ? chunk : chunk.subarray(off, off + take), this.payloadFill);
      const fill = (this.payloadFill += take);
      off += take;
      const hasher = this.hasher;
      if (hasher !== null && (fill - this.hashed >= HASH_STEP || fill === this.length)) {
        hasher.update(payload.subarray(this.hashed, fill));
        this.hashed = fill;
      }
      if (fill === this.length) {
        this.payload = null;
        if (hasher !== null) {
          this.hasher = null;
          this.verify(finishChecksum(hasher));
          out.push({ command: this.command, payload });
        } else {
          out.push(this.finish(payload));
        }
      }
    }
    return out;
  }

  private checkMagic(src: Uint8Array, o: number): void {
    const magic = (src[o] | (src[o + 1] << 8) | (src[o + 2] << 16) | (src[o + 3] << 24)) >>> 0;
    if (magic !== this.magic) {
      // Most often the user named the wrong network: say which one the peer speaks.
      const theirs = networkByMagic(magic);
      const ours = networkByMagic(this.magic);
      const expected = `expected ${ours ? `${ours.name}'s ` : ''}0x${hex4(this.magic)}`;
      throw new ProtocolError('bad-magic', theirs
        ? `peer speaks ${theirs.name}; try --network ${theirs.name} (magic 0x${hex4(magic)}, ${expected})`
        : `bad magic 0x${hex4(magic)} (${expected})`);
    }
  }

  private parseHeader(src: Uint8Array, o: number): void {
    this.checkMagic(src, o);
    const command = readCommand(src, o + 4);
    if (command === undefined) {
      throw new ProtocolError('malformed', `command is not NUL-padded printable ASCII: ${Buffer.from(src.subarray(o + 4, o + 16)).toString('hex')}`);
    }
    const length = (src[o + 16] | (src[o + 17] << 8) | (src[o + 18] << 16) | (src[o + 19] << 24)) >>> 0;
    if (length > this.maxPayload) {
      throw new ProtocolError('oversize', `${command}: payload of ${length} bytes over the limit of ${this.maxPayload}`);
    }
    this.command = command;
    this.length = length;
    // Big-endian, to compare with the first 4 digest bytes read the same way.
    this.checksum = ((src[o + 20] << 24) | (src[o + 21] << 16) | (src[o + 22] << 8) | src[o + 23]) >>> 0;
  }

  private finish(payload: Uint8Array): Frame {
    this.verify(checksumOf(payload, 0, payload.length));
    return { command: this.command, payload };
  }

  private verify(sum: number): void {
    if (sum !== this.checksum) {
      throw new ProtocolError('bad-checksum', `${this.command}: checksum ${hex4(this.checksum)} does not match the payload (${hex4(sum)})`);
    }
  }
}

function hex4(v: number): string {
  return v.toString(16).padStart(8, '0');
}
