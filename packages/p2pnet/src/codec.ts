import { ProtocolError, type Decoded, type Direction, type WireCodec } from '@peerscope/engine/protocol';
import { DEFAULT_ID_PATTERN } from './id.js';
import { DEFAULT_SLOW_MESSAGE_MS, EOT, LENGTH_PREFIX_BYTES, MAX_HANDSHAKE_BYTES, MIN_MESSAGE_RATE } from './limits.js';
import type { Payload } from './message.js';

export type Framing = 'eot' | 'length';

/**
 * What crosses a p2pnetwork connection. `hello` is the unframed id exchange (dialer: `id:port`,
 * acceptor: bare `id`); `packet` is one message payload without its framing; `packets` encodes several
 * payloads (text is sent as UTF-8) in one write.
 */
export type P2pWire =
  | { kind: 'hello'; id: string; port?: number }
  | { kind: 'packet'; payload: Uint8Array }
  | { kind: 'packets'; payloads: readonly Payload[] };

export interface CodecOptions {
  framing: Framing;
  maxMessageSize: number;
  /** See DEFAULT_SLOW_MESSAGE_MS (0: no check). */
  slowMessageMs?: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf8Encoder = new TextEncoder();

/**
 * The first chunk a side receives is the handshake text: p2pnetwork reads it with a single recv(4096),
 * so there is no terminator to find. We take the text up to the first boundary that can be determined
 * (the end of the port digits after the `:`, or the end of a default 128-hex id) and keep any bytes
 * glued behind it as framed data, where p2pnetwork would misread them as part of the id (or crash on a `:`).
 */
export function parseHello(chunk: Uint8Array, direction: Direction): { hello: { id: string; port?: number }; rest: Uint8Array } {
  const head = chunk.subarray(0, MAX_HANDSHAKE_BYTES);
  let idEnd = head.length;
  let restStart = head.length;
  let port: number | undefined;
  const colon = direction === 'inbound' ? head.indexOf(0x3a) : -1;
  if (colon >= 0) {
    idEnd = colon;
    let i = colon + 1;
    let value = 0;
    while (i < head.length && i - colon <= 5 && head[i] >= 0x30 && head[i] <= 0x39 && value * 10 + (head[i] - 0x30) <= 65535) {
      value = value * 10 + (head[i] - 0x30);
      i++;
    }
    if (i === colon + 1) throw new ProtocolError('malformed', 'handshake: no port number after ":"');
    port = value;
    restStart = i;
  } else {
    const ascii = Buffer.from(head.buffer, head.byteOffset, Math.min(head.length, 129)).toString('latin1');
    if (head.length > 128 && DEFAULT_ID_PATTERN.test(ascii) && !/^[0-9a-f]$/.test(ascii[128] ?? '')) {
      idEnd = restStart = 128;
    }
  }
  let id: string;
  try {
    id = utf8.decode(head.subarray(0, idEnd));
  } catch {
    throw new ProtocolError('malformed', 'handshake: the node id is not UTF-8 text');
  }
  if (id.length === 0) throw new ProtocolError('malformed', 'handshake: empty node id');
  return { hello: port === undefined ? { id } : { id, port }, rest: chunk.subarray(restStart) };
}

/** A stateful codec for one connection: the handshake text first, then EOT or length framing. */
export class P2pCodec implements WireCodec<P2pWire> {
  private helloSeen = false;
  /** Chunks of the message being received (EOT framing) or of the unread stream (length framing). */
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Length framing: prefix + payload size of the frame being gathered, once its prefix is in. */
  private frameSize = -1;
  /** When the bytes of the incomplete message now buffered began to arrive (0: nothing buffered). */
  private partialSince = 0;

  constructor(private readonly direction: Direction, private readonly options: CodecOptions) {}

  pending(): number {
    return this.buffered;
  }

  decode(chunk: Uint8Array): Decoded<P2pWire>[] {
    const out: Decoded<P2pWire>[] = [];
    let data = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (!this.helloSeen) {
      this.helloSeen = true;
      const { hello, rest } = parseHello(data, this.direction);
      out.push({ command: 'handshake', size: data.length - rest.length, message: { kind: 'hello', ...hello } });
      data = Buffer.from(rest.buffer, rest.byteOffset, rest.byteLength);
      if (data.length === 0) return out;
    }
    const before = this.buffered;
    if (this.options.framing === 'eot') this.decodeEot(data, out);
    else this.decodeLength(data, out);
    this.checkRate(before === 0 || out.length > 0);
    return out;
  }

  /** A message trickling in (see DEFAULT_SLOW_MESSAGE_MS): `fresh` when the buffered bytes began in this read. */
  private checkRate(fresh: boolean): void {
    if (this.buffered === 0) {
      this.partialSince = 0;
      return;
    }
    const now = performance.now();
    if (fresh || this.partialSince === 0) {
      this.partialSince = now;
      return;
    }
    const grace = this.options.slowMessageMs ?? DEFAULT_SLOW_MESSAGE_MS;
    const elapsed = now - this.partialSince;
    if (grace > 0 && elapsed > grace && this.buffered < (MIN_MESSAGE_RATE * elapsed) / 1000) {
      throw new ProtocolError('timeout-stall', `a message trickling in: ${this.buffered} bytes in ${Math.round(elapsed)} ms (under ${MIN_MESSAGE_RATE} bytes/s)`);
    }
  }

  private decodeEot(data: Buffer, out: Decoded<P2pWire>[]): void {
    let start = 0;
    for (let eot = data.indexOf(EOT); eot >= 0; eot = data.indexOf(EOT, start)) {
      let payload = data.subarray(start, eot);
      if (this.buffered > 0) {
        payload = Buffer.concat([...this.chunks, payload], this.buffered + payload.length);
        this.chunks = [];
        this.buffered = 0;
      }
      // An empty packet stalls a p2pnetwork receiver for good; we skip it.
      if (payload.length > 0) {
        this.checkSize(payload.length);
        out.push({ command: 'message', size: payload.length + 1, message: { kind: 'packet', payload } });
      }
      start = eot + 1;
    }
    if (start < data.length) {
      const tail = data.subarray(start);
      this.chunks.push(tail);
      this.buffered += tail.length;
      this.checkSize(this.buffered);
    }
  }

  private decodeLength(data: Buffer, out: Decoded<P2pWire>[]): void {
    let buf = data;
    if (this.buffered > 0) {
      // A big frame arrives in many chunks: gather them and join once, when it is complete.
      if (this.frameSize > 0 && this.buffered + data.length < this.frameSize) {
        this.chunks.push(data);
        this.buffered += data.length;
        return;
      }
      buf = Buffer.concat([...this.chunks, data], this.buffered + data.length);
      this.chunks = [];
      this.buffered = 0;
      this.frameSize = -1;
    }
    let at = 0;
    while (buf.length - at >= LENGTH_PREFIX_BYTES) {
      const length = buf.readUInt32BE(at);
      this.checkSize(length);
      if (buf.length - at - LENGTH_PREFIX_BYTES < length) break;
      const payload = buf.subarray(at + LENGTH_PREFIX_BYTES, at + LENGTH_PREFIX_BYTES + length);
      at += LENGTH_PREFIX_BYTES + length;
      if (length > 0) out.push({ command: 'message', size: length + LENGTH_PREFIX_BYTES, message: { kind: 'packet', payload } });
    }
    if (at < buf.length) {
      const tail = buf.subarray(at);
      this.chunks.push(tail);
      this.buffered = tail.length;
      this.frameSize = tail.length >= LENGTH_PREFIX_BYTES ? LENGTH_PREFIX_BYTES + tail.readUInt32BE(0) : -1;
    }
  }

  private checkSize(size: number): void {
    if (size > this.options.maxMessageSize) {
      throw new ProtocolError('oversize', `message of ${size}+ bytes over the limit of ${this.options.maxMessageSize}`);
    }
  }

  encode(message: P2pWire): { command: string; bytes: Uint8Array } {
    switch (message.kind) {
      case 'hello':
        return { command: 'handshake', bytes: utf8Encoder.encode(message.port === undefined ? message.id : `${message.id}:${message.port}`) };
      case 'packet':
        return { command: 'message', bytes: this.frame([message.payload]) };
      case 'packets':
        return { command: 'messages', bytes: this.frame(message.payloads) };
    }
  }

  private frame(payloads: readonly Payload[]): Uint8Array {
    const eot = this.options.framing === 'eot';
    const overhead = eot ? 1 : LENGTH_PREFIX_BYTES;
    let total = 0;
    for (const p of payloads) total += (typeof p === 'string' ? Buffer.byteLength(p, 'utf8') : p.length) + overhead;
    const out = Buffer.allocUnsafe(total);
    let at = 0;
    for (const p of payloads) {
      if (p.length === 0) throw new RangeError('an empty message cannot be sent (it would stall a p2pnetwork receiver)');
      if (eot && (typeof p === 'string' ? p.includes('\x04') : p.indexOf(EOT) >= 0)) {
        throw new RangeError('a message containing byte 0x04 cannot be sent with EOT framing');
      }
      const start = eot ? at : at + LENGTH_PREFIX_BYTES;
      const size = typeof p === 'string' ? out.write(p, start, 'utf8') : (out.set(p, start), p.length);
      if (eot) {
        at += size;
        out[at++] = EOT;
      } else {
        out.writeUInt32BE(size, at);
        at = start + size;
      }
    }
    return out;
  }
}
