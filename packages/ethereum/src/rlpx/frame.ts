import { createCipheriv, type Cipher } from 'node:crypto';
import { concat, equal } from '../bytes.js';
import type { Secrets } from './handshake.js';
import type { FrameMac } from './mac.js';

/** header (16) + header MAC (16). */
export const HEADER_SIZE = 32;
/** The frame size field is 24 bits; we also refuse frames over this many bytes of payload. */
export const MAX_FRAME_SIZE = 16 * 1024 * 1024 - 1;
/** RLP of [capability-id, context-id] = [0, 0], unused since devp2p 5 but still sent. */
const HEADER_DATA = Uint8Array.of(0xc2, 0x80, 0x80);
const ZERO_IV = new Uint8Array(16);

export class FrameError extends Error {}

/**
 * RLPx framing once the secrets are known: AES-256-CTR with a zero IV, one continuous key stream per
 * direction, and the running keccak MACs over header and body (devp2p rlpx.md, "Framing").
 */
export class FrameCodec {
  private readonly egressAes: Cipher;
  private readonly ingressAes: Cipher;
  private readonly egressMac: FrameMac;
  private readonly ingressMac: FrameMac;
  private buffer: Uint8Array = new Uint8Array(0);
  /** Payload size of the frame whose header has been read, or -1 while waiting for a header. */
  private bodySize = -1;

  constructor(secrets: Secrets) {
    this.egressAes = createCipheriv('aes-256-ctr', secrets.aesSecret, ZERO_IV);
    this.ingressAes = createCipheriv('aes-256-ctr', secrets.aesSecret, ZERO_IV);
    this.egressMac = secrets.egressMac;
    this.ingressMac = secrets.ingressMac;
  }

  /** Bytes buffered waiting for the rest of a frame. */
  get pending(): number {
    return this.buffer.length;
  }

  encode(frameData: Uint8Array): Uint8Array {
    if (frameData.length > MAX_FRAME_SIZE) throw new FrameError('frame too large');
    const header = new Uint8Array(16);
    header[0] = frameData.length >> 16;
    header[1] = (frameData.length >> 8) & 0xff;
    header[2] = frameData.length & 0xff;
    header.set(HEADER_DATA, 3);
    const headerCt = this.aes(this.egressAes, header);
    const headerMac = this.egressMac.updateHeader(headerCt);
    const padded = new Uint8Array(Math.ceil(frameData.length / 16) * 16);
    padded.set(frameData);
    const bodyCt = this.aes(this.egressAes, padded);
    const bodyMac = this.egressMac.updateBody(bodyCt);
    return concat(headerCt, headerMac, bodyCt, bodyMac);
  }

  /** Feeds bytes; returns each complete frame's data with its size on the wire. Throws FrameError on a bad MAC. */
  decode(chunk: Uint8Array): Array<{ data: Uint8Array; wireSize: number }> {
    this.buffer = this.buffer.length === 0 ? chunk : concat(this.buffer, chunk);
    const out: Array<{ data: Uint8Array; wireSize: number }> = [];
    let offset = 0;
    for (;;) {
      if (this.bodySize < 0) {
        if (this.buffer.length - offset < HEADER_SIZE) break;
        const headerCt = this.buffer.subarray(offset, offset + 16);
        const mac = this.ingressMac.updateHeader(headerCt);
        if (!equal(mac, this.buffer.subarray(offset + 16, offset + 32))) throw new FrameError('bad header MAC');
        const header = this.aes(this.ingressAes, headerCt);
        this.bodySize = (header[0] << 16) | (header[1] << 8) | header[2];
        offset += HEADER_SIZE;
      }
      const padded = Math.ceil(this.bodySize / 16) * 16;
      if (this.buffer.length - offset < padded + 16) break;
      const bodyCt = this.buffer.subarray(offset, offset + padded);
      const mac = this.ingressMac.updateBody(bodyCt);
      if (!equal(mac, this.buffer.subarray(offset + padded, offset + padded + 16))) throw new FrameError('bad frame MAC');
      const body = this.aes(this.ingressAes, bodyCt);
      out.push({ data: body.subarray(0, this.bodySize), wireSize: HEADER_SIZE + padded + 16 });
      offset += padded + 16;
      this.bodySize = -1;
    }
    this.buffer = offset === this.buffer.length ? new Uint8Array(0) : this.buffer.slice(offset);
    return out;
  }

  private aes(cipher: Cipher, data: Uint8Array): Uint8Array {
    return new Uint8Array(cipher.update(data));
  }
}
