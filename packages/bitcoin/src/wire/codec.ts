import type { Decoded, WireCodec } from '@peerscope/engine/protocol';
import { commandBytes } from './command.js';
import { ALIAS_MIN, FrameDecoder } from './frame-decoder.js';
import { checksumOf } from './hash.js';
import { HEADER_SIZE, MAX_PAYLOAD } from './limits.js';
import { decodePayload, writePayload, type BitcoinMessage } from './message.js';
import { PayloadWriter } from './writer.js';

export interface BitcoinCodecOptions {
  /** The network magic: a uint32 read little-endian (networks.ts `magic`) or the 4 bytes in wire order. */
  magic: number | Uint8Array;
  /** Largest payload accepted in either direction (default MAX_PAYLOAD). */
  maxPayload?: number;
  /**
   * The caller reuses each chunk once decode() returns (one read buffer for many sockets): payloads are
   * then always copied, never views of the chunk (see ALIAS_MIN).
   */
  chunksReused?: boolean;
  /**
   * Commands handed over undecoded, as RawMessage (their frames are still checked). A crawl keeps
   * addr/addrv2 raw and reads them with scanGossip, building text only for addresses it has not seen.
   */
  keepRaw?: readonly string[];
}

/** Frames and messages for one connection. Stateful (partial frames); never share one between peers. */
export class BitcoinCodec implements WireCodec<BitcoinMessage> {
  readonly magic: number;
  readonly maxPayload: number;
  private readonly frames: FrameDecoder;
  readonly copiesInput: boolean;
  private readonly keepRaw?: ReadonlySet<string>;

  constructor(options: BitcoinCodecOptions) {
    const m = options.magic;
    if (typeof m === 'number') {
      if (!Number.isInteger(m) || m < 0 || m > 0xffffffff) throw new RangeError(`not a uint32 magic: ${m}`);
      this.magic = m >>> 0;
    } else {
      if (m.length !== 4) throw new RangeError(`magic must be 4 bytes, got ${m.length}`);
      this.magic = (m[0] | (m[1] << 8) | (m[2] << 16) | (m[3] << 24)) >>> 0;
    }
    this.maxPayload = options.maxPayload ?? MAX_PAYLOAD;
    this.copiesInput = options.chunksReused === true;
    if (options.keepRaw?.length) this.keepRaw = new Set(options.keepRaw);
    this.frames = new FrameDecoder(this.magic, this.maxPayload, this.copiesInput ? Infinity : ALIAS_MIN);
  }

  /** Bytes held for an incomplete frame. */
  get buffered(): number {
    return this.frames.buffered;
  }

  /** WireCodec: non-zero while a frame is incomplete, so the engine can fail a peer that stalls mid-message. */
  pending(): number {
    return this.frames.buffered;
  }

  /** Throws ProtocolError (bad-magic, bad-checksum, oversize, malformed); after that the codec stays failed. */
  decode(chunk: Uint8Array): Decoded<BitcoinMessage>[] {
    const frames = this.frames.push(chunk);
    const out = new Array<Decoded<BitcoinMessage>>(frames.length);
    for (let i = 0; i < frames.length; i++) {
      const f = frames[i];
      const message = this.keepRaw?.has(f.command) ? { command: f.command, raw: f.payload } : decodePayload(f.command, f.payload);
      out[i] = { command: f.command, size: HEADER_SIZE + f.payload.length, message };
    }
    return out;
  }

  encode(message: BitcoinMessage): { command: string; bytes: Uint8Array } {
    const name = commandBytes(message.command);
    const w = new PayloadWriter();
    writePayload(message, w);
    const length = w.payloadLength;
    if (length > this.maxPayload) throw new RangeError(`${message.command}: payload of ${length} bytes over the limit of ${this.maxPayload}`);
    const b = w.buf;
    const dv = new DataView(b.buffer, b.byteOffset, HEADER_SIZE);
    dv.setUint32(0, this.magic, true);
    b.set(name, 4);
    dv.setUint32(16, length, true);
    dv.setUint32(20, checksumOf(b, HEADER_SIZE, w.pos), false);
    return { command: message.command, bytes: b.subarray(0, w.pos) };
  }
}
