import type { Framing } from './codec.js';
import { COMPRESSED_MARK, EOT } from './limits.js';
import { compress, decompress, CompressionError, type Compression } from './compression.js';
import { pythonJsonDumps } from './python-json.js';

/** What a node sends and receives: text, bytes, or any JSON value (a dict is what p2pnetwork sends). */
export type MessageData = string | Uint8Array | number | boolean | null | bigint | readonly unknown[] | { readonly [key: string]: unknown };

const utf8 = new TextEncoder();
// fatal: p2pnetwork delivers undecodable text as bytes; ignoreBOM: Python's 'utf-8' codec keeps a BOM.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The payload bytes of a message, before compression and framing (str as UTF-8, dicts as json.dumps). */
export function payloadOf(data: MessageData): Uint8Array {
  if (typeof data === 'string') return utf8.encode(data);
  if (data instanceof Uint8Array) return data;
  // json.dumps with ensure_ascii writes pure ASCII, so the one-byte copy is exact (and cheaper than UTF-8).
  return Buffer.from(pythonJsonDumps(data), 'latin1');
}

/** p2pnetwork's compressed packet: base64(compress(payload) + suffix) + 0x02 (the EOT follows in framing). */
export function compressedPacket(payload: Uint8Array, method: Compression): Uint8Array | Promise<Uint8Array> {
  const wrap = (c: Uint8Array) => {
    const b64 = Buffer.from(Buffer.from(c.buffer, c.byteOffset, c.byteLength).toString('base64'), 'latin1');
    const out = Buffer.allocUnsafe(b64.length + 1);
    b64.copy(out);
    out[b64.length] = COMPRESSED_MARK;
    return out;
  };
  const c = compress(payload, method);
  return c instanceof Promise ? c.then(wrap) : wrap(c);
}

/** The packet to put on the wire for `data` (sync unless lzma is asked for). */
export function encodePacket(data: MessageData, compression?: Compression | 'none'): Uint8Array | Promise<Uint8Array> {
  const payload = payloadOf(data);
  return compression && compression !== 'none' ? compressedPacket(payload, compression) : payload;
}

/**
 * The packet for `data`, refused (RangeError) when it cannot cross the wire intact: empty (it would
 * stall a p2pnetwork receiver), over the size limit, or holding the EOT byte that would split it.
 */
export function outgoingPacket(data: MessageData, compression: Compression | 'none' | undefined, wire: { framing: Framing; maxMessageSize: number }): Uint8Array | Promise<Uint8Array> {
  const packet = encodePacket(data, compression);
  if (packet instanceof Promise) return packet;
  if (packet.length === 0) throw new RangeError('an empty message cannot be sent (it would stall a p2pnetwork receiver)');
  if (packet.length > wire.maxMessageSize) throw new RangeError(`message of ${packet.length} bytes over the limit of ${wire.maxMessageSize}`);
  if (wire.framing === 'eot' && packet.indexOf(EOT) >= 0) {
    throw new RangeError('a message containing byte 0x04 cannot be sent with EOT framing (use compression or length framing)');
  }
  return packet;
}

/**
 * One received packet (framing removed) to the value p2pnetwork's parse_packet delivers: decompressed if
 * its first 0x02 is its last byte; then UTF-8 text, parsed as JSON when it is JSON (so `42` is the number
 * 42), else the text; bytes when not UTF-8.
 */
export function decodePacket(packet: Uint8Array, maxSize: number): unknown | Promise<unknown> {
  if (packet.length > 0 && packet.indexOf(COMPRESSED_MARK) === packet.length - 1) {
    const raw = decompress(base64Decode(packet.subarray(0, -1)), maxSize);
    return raw instanceof Promise ? raw.then(parsePlain) : parsePlain(raw);
  }
  return parsePlain(packet);
}

function parsePlain(packet: Uint8Array): unknown {
  let text: string;
  try {
    text = strictUtf8.decode(packet);
  } catch {
    return Uint8Array.from(packet);
  }
  // JSON.parse would accept what json.loads refuses only for a leading BOM, which the decoder kept.
  const first = text.charCodeAt(0);
  if (text.length === 0 || !(first <= 0x20 || first === 0x22 || first === 0x2d || (first >= 0x30 && first <= 0x39) || first === 0x5b || first === 0x7b || first === 0x74 || first === 0x66 || first === 0x6e)) {
    return text;
  }
  try {
    return JSON.parse(text);
  } catch {
    return text;
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
