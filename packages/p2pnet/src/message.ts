import type { Framing } from './codec.js';
import { COMPRESSED_MARK, EOT } from './limits.js';
import { compress, decompress, CompressionError, type Compression } from './compression.js';
import { pythonJsonDumps } from './python-json.js';

/** What a node sends and receives: text, bytes, or any JSON value (a dict is what p2pnetwork sends). */
export type MessageData = string | Uint8Array | number | boolean | null | bigint | readonly unknown[] | { readonly [key: string]: unknown };

const utf8 = new TextEncoder();
// fatal: p2pnetwork delivers undecodable text as bytes; ignoreBOM: Python's 'utf-8' codec keeps a BOM.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * A payload as it goes to the connection: text (UTF-8 on the wire) or bytes. Text stays a string until
 * the codec frames it: strings cross to a worker thread for a fraction of what many small buffers cost.
 */
export type Payload = string | Uint8Array;

/** The payload of a message, before compression and framing (str as is, dicts as json.dumps text). */
function payloadText(data: MessageData): Payload {
  if (typeof data === 'string' || data instanceof Uint8Array) return data;
  return pythonJsonDumps(data);
}

/** The payload bytes of a message, before compression and framing (str as UTF-8, dicts as json.dumps). */
export function payloadOf(data: MessageData): Uint8Array {
  const payload = payloadText(data);
  if (typeof payload !== 'string') return payload;
  // json.dumps with ensure_ascii writes pure ASCII, so the one-byte copy is exact (and cheaper than UTF-8).
  return typeof data === 'string' ? utf8.encode(payload) : Buffer.from(payload, 'latin1');
}

/** p2pnetwork's compressed packet: base64(compress(payload) + suffix) + 0x02 (the EOT follows in framing). */
export function compressedPacket(payload: Uint8Array, method: Compression): Uint8Array | Promise<Uint8Array> {
  const wrap = (c: Uint8Array) => {
    const b64 = Buffer.from(Buffer.from(c.buffer, c.byteOffset, c.byteLength).toString('base64'), 'latin1');
    // Its own memory, not a slice of Buffer's shared pool: it may cross to a worker.
    const out = Buffer.allocUnsafeSlow(b64.length + 1);
    b64.copy(out);
    out[b64.length] = COMPRESSED_MARK;
    return out;
  };
  const c = compress(payload, method);
  return c instanceof Promise ? c.then(wrap) : wrap(c);
}

/** The packet to put on the wire for `data` (sync unless lzma is asked for). */
export function encodePacket(data: MessageData, compression?: Compression | 'none'): Uint8Array | Promise<Uint8Array> {
  return compression && compression !== 'none' ? compressedPacket(payloadOf(data), compression) : payloadOf(data);
}

/**
 * The packet for `data` as a connection takes it, refused (RangeError) when it cannot cross the wire
 * intact: empty (it would stall a p2pnetwork receiver), over the size limit, or holding the EOT byte
 * that would split it.
 */
export function outgoingPacket(data: MessageData, compression: Compression | 'none' | undefined, wire: { framing: Framing; maxMessageSize: number }): Payload | Promise<Uint8Array> {
  const payload = compression && compression !== 'none' ? compressedPacket(payloadOf(data), compression) : payloadText(data);
  if (payload instanceof Promise) return payload;
  if (payload.length === 0) throw new RangeError('an empty message cannot be sent (it would stall a p2pnetwork receiver)');
  // A UTF-16 unit takes at most 3 bytes in UTF-8: short text needs no count.
  const size = typeof payload !== 'string' ? payload.length : payload.length * 3 <= wire.maxMessageSize ? 0 : Buffer.byteLength(payload, 'utf8');
  if (size > wire.maxMessageSize) throw new RangeError(`message of ${size} bytes over the limit of ${wire.maxMessageSize}`);
  if (wire.framing === 'eot' && (typeof payload === 'string' ? payload.includes('\x04') : payload.indexOf(EOT) >= 0)) {
    throw new RangeError('a message containing byte 0x04 cannot be sent with EOT framing (use compression or length framing)');
  }
  return typeof payload === 'string' ? payload : ownBytes(payload);
}

/**
 * Bytes in memory of their own. A view into a larger buffer (a slice of Buffer's pool, or of the
 * application's data) would take the whole buffer with it to a worker.
 */
function ownBytes(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : new Uint8Array(bytes);
}

/**
 * The first half of p2pnetwork's parse_packet, done where the connection runs: decompressed if the
 * packet's first 0x02 is its last byte, then its UTF-8 text, or its bytes when it is not UTF-8.
 */
export function packetContent(packet: Uint8Array, maxSize: number): Payload | Promise<Payload> {
  if (packet.length > 0 && packet.indexOf(COMPRESSED_MARK) === packet.length - 1) {
    const raw = decompress(base64Decode(packet.subarray(0, -1)), maxSize);
    return raw instanceof Promise ? raw.then(textOrBytes) : textOrBytes(raw);
  }
  return textOrBytes(packet);
}

/**
 * The second half, done by the node: text that is JSON is parsed (so `42` is the number 42), other text
 * stays text, bytes stay bytes. Parsing here, not beside the socket, is cheaper than copying the parsed
 * values from a worker (a structured clone of small objects costs more than JSON.parse).
 */
export function messageValue(content: Payload): unknown {
  if (typeof content !== 'string') return content;
  // JSON.parse would accept what json.loads refuses only for a leading BOM, which the decoder kept.
  const first = content.charCodeAt(0);
  if (content.length === 0 || !(first <= 0x20 || first === 0x22 || first === 0x2d || (first >= 0x30 && first <= 0x39) || first === 0x5b || first === 0x7b || first === 0x74 || first === 0x66 || first === 0x6e)) {
    return content;
  }
  try {
    return JSON.parse(content);
  } catch {
    return content;
  }
}

/**
 * One received packet (framing removed) to the value p2pnetwork's parse_packet delivers: decompressed if
 * its first 0x02 is its last byte; then UTF-8 text, parsed as JSON when it is JSON (so `42` is the number
 * 42), else the text; bytes when not UTF-8.
 */
export function decodePacket(packet: Uint8Array, maxSize: number): unknown | Promise<unknown> {
  const content = packetContent(packet, maxSize);
  return content instanceof Promise ? content.then(messageValue) : messageValue(content);
}

function textOrBytes(packet: Uint8Array): Payload {
  try {
    return strictUtf8.decode(packet);
  } catch {
    return Uint8Array.from(packet);
  }
}

/** Python's base64.b64decode without validate: characters outside the alphabet are dropped, padding must fit. */
function base64Decode(bytes: Uint8Array): Uint8Array {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1').replace(/[^A-Za-z0-9+/=]/g, '');
  const body = text.replace(/=+$/, '');
  if (body.includes('=') || (body.length % 4 === 1) || text.length % 4 !== 0) {
    throw new CompressionError('compressed packet is not valid base64 (incorrect padding)');
  }
  return Buffer.from(text, 'base64');
}
