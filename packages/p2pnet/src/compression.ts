import zlib from 'node:zlib';
import compressjs from 'compressjs';
import lzma from 'lzma-native';

/** The compressions p2pnetwork 1.2 knows; the name is also the suffix appended before base64. */
export type Compression = 'zlib' | 'bzip2' | 'lzma';
export const COMPRESSIONS: readonly Compression[] = ['zlib', 'bzip2', 'lzma'];

export class CompressionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CompressionError';
  }
}

const ascii = (s: string) => Buffer.from(s, 'ascii');

/**
 * compress(payload) + suffix, as p2pnetwork's compress() before base64. zlib level 6 and bzip2 level 9
 * are Python's defaults; lzma is the .xz container with a CRC64 check (Python's lzma.compress defaults;
 * liblzma gives the same bytes). lzma is asynchronous (liblzma runs off the main thread).
 */
export function compress(payload: Uint8Array, method: Compression): Uint8Array | Promise<Uint8Array> {
  switch (method) {
    case 'zlib':
      return Buffer.concat([zlib.deflateSync(payload, { level: 6 }), ascii('zlib')]);
    case 'bzip2':
      return Buffer.concat([Buffer.from(compressjs.Bzip2.compressFile(payload, null, 9)), ascii('bzip2')]);
    case 'lzma':
      return lzma.compress(payload, { preset: 6, check: lzma.CHECK_CRC64 }).then((c) => Buffer.concat([c, ascii('lzma')]));
    default:
      throw new CompressionError(`unknown compression "${String(method)}" (zlib, bzip2 or lzma)`);
  }
}

/**
 * The inverse, on the bytes after base64 decoding. Like p2pnetwork, the suffix picks the method; data
 * with no known suffix is returned as it is. Output is capped at `maxSize` (a small packet must not
 * inflate into gigabytes).
 */
export function decompress(data: Uint8Array, maxSize: number): Uint8Array | Promise<Uint8Array> {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const ends = (s: string) => buf.length >= s.length && buf.subarray(buf.length - s.length).toString('latin1') === s;
  try {
    if (ends('zlib')) return zlib.inflateSync(buf.subarray(0, -4), { maxOutputLength: maxSize });
    if (ends('bzip2')) return capped(Buffer.from(compressjs.Bzip2.decompressFile(buf.subarray(0, -5))), maxSize, 'bzip2');
    if (ends('lzma')) {
      return lzma.decompress(buf.subarray(0, -4)).then(
        (out) => capped(out, maxSize, 'lzma'),
        (err: Error) => { throw new CompressionError(`lzma: ${err.message}`); },
      );
    }
  } catch (err) {
    if (err instanceof CompressionError) throw err;
    throw new CompressionError(`${ends('zlib') ? 'zlib' : 'bzip2'}: ${(err as Error).message ?? String(err)}`);
  }
  return buf;
}

function capped(out: Uint8Array, maxSize: number, method: string): Uint8Array {
  if (out.length > maxSize) throw new CompressionError(`${method}: decompressed size ${out.length} over the limit ${maxSize}`);
  return out;
}
