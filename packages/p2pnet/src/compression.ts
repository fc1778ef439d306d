import zlib from 'node:zlib';
import compressjs from 'compressjs';
import lzma from 'lzma-native';
import { LZMA_DECODER_MEMLIMIT, LZMA_MAX_RATIO, LZMA_MIN_SLICE, LZMA_MAX_SLICE, MAX_EXPANSION_FLOOR, MAX_EXPANSION_RATIO } from './limits.js';

/** The compressions p2pnetwork 1.2 knows; the name is also the suffix appended before base64. */
export type Compression = 'zlib' | 'bzip2' | 'lzma';
export const COMPRESSIONS: readonly Compression[] = ['zlib', 'bzip2', 'lzma'];

/**
 * A compressed packet we will not deliver: 'oversize' when it would decompress past the size limit
 * (decoding stops there), 'malformed' when it is not valid compressed data.
 */
export class CompressionError extends Error {
  constructor(message: string, readonly reason: 'oversize' | 'malformed' = 'malformed') {
    super(message);
    this.name = 'CompressionError';
  }
}

const ascii = (s: string) => Buffer.from(s, 'ascii');
const tooLarge = (method: Compression, maxSize: number, inputSize?: number) =>
  new CompressionError(
    inputSize === undefined
      ? `${method}: decompresses to more than the limit of ${maxSize} bytes (decoding stopped there)`
      : `${method}: ${inputSize} bytes expand past ${maxSize} bytes, over ${MAX_EXPANSION_RATIO}x (a compression bomb; decoding stopped there)`,
    'oversize',
  );

/**
 * The most a packet of `inputSize` compressed bytes may expand to: `maxSize`, and no more than
 * MAX_EXPANSION_RATIO times its size once past MAX_EXPANSION_FLOOR (see limits.ts).
 */
export function expansionLimit(inputSize: number, maxSize: number): { limit: number; ratioBound: boolean } {
  const byRatio = Math.max(MAX_EXPANSION_FLOOR, inputSize * MAX_EXPANSION_RATIO);
  return byRatio < maxSize ? { limit: byRatio, ratioBound: true } : { limit: maxSize, ratioBound: false };
}

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
 * with no known suffix is returned as it is. Output is capped at `maxSize` while decoding: a few kB can
 * expand into gigabytes (bzip2 reaches ~1:170,000, lzma ~1:7,000), so no method ever holds much more
 * than `maxSize` before it gives up.
 */
export function decompress(data: Uint8Array, maxSize: number): Uint8Array | Promise<Uint8Array> {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const ends = (s: string) => buf.length >= s.length && buf.subarray(buf.length - s.length).toString('latin1') === s;
  const decode = ends('zlib') ? inflate : ends('bzip2') ? bunzip : ends('lzma') ? unxz : undefined;
  if (!decode) return buf;
  const input = buf.subarray(0, decode === bunzip ? -5 : -4);
  const { limit, ratioBound } = expansionLimit(input.length, maxSize);
  const method: Compression = decode === inflate ? 'zlib' : decode === bunzip ? 'bzip2' : 'lzma';
  const bomb = (err: unknown) => {
    if (ratioBound && err instanceof CompressionError && err.reason === 'oversize') throw tooLarge(method, limit, input.length);
    throw err;
  };
  try {
    const out = decode(input, limit);
    return out instanceof Promise ? out.catch(bomb) : out;
  } catch (err) {
    return bomb(err);
  }
}

function inflate(input: Buffer, maxSize: number): Uint8Array {
  try {
    return zlib.inflateSync(input, { maxOutputLength: maxSize });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge('zlib', maxSize);
    throw new CompressionError(`zlib: ${(err as Error).message ?? String(err)}`);
  }
}

/**
 * compressjs decodes synchronously, byte by byte, into any object with writeByte: this one refuses the
 * byte past the cap, which aborts the decoder mid-block. Its own working memory is one block (≤ 3.6 MB
 * at level 9). Concatenated streams are decoded as Python's bz2.decompress does.
 */
function bunzip(input: Buffer, maxSize: number): Uint8Array {
  let out = Buffer.allocUnsafe(Math.min(maxSize, 64 * 1024));
  let size = 0;
  const sink = {
    writeByte(byte: number): void {
      if (size === out.length) {
        if (size >= maxSize) throw tooLarge('bzip2', maxSize);
        const grown = Buffer.allocUnsafe(Math.min(maxSize, out.length * 2));
        out.copy(grown, 0, 0, size);
        out = grown;
      }
      out[size++] = byte;
    },
  };
  try {
    compressjs.Bzip2.decompressFile(input, sink, true);
  } catch (err) {
    if (err instanceof CompressionError) throw err;
    throw new CompressionError(`bzip2: ${(err as Error)?.message ?? String(err)}`);
  }
  return out.subarray(0, size);
}

/**
 * liblzma decodes everything it is handed in one go (off the main thread), whatever the output, so the
 * input is fed in slices small enough that one slice cannot expand far past the room left, and feeding
 * stops once the running count passes the cap. The decoder's own memory (the dictionary the header asks
 * for) is bounded by memlimit. Concatenated .xz streams are decoded, as Python's lzma.decompress does.
 */
function unxz(input: Buffer, maxSize: number): Promise<Uint8Array> {
  return new Promise<Uint8Array>((resolve, reject) => {
    const decoder = lzma.createDecompressor({ memlimit: LZMA_DECODER_MEMLIMIT });
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const fail = (err: CompressionError, errored = false) => {
      if (settled) return;
      settled = true;
      chunks.length = 0;
      reject(err);
      // Ends the native stream (and frees it) with no more input: at most the slice in flight is decoded.
      if (!errored) decoder.end();
    };
    decoder.on('data', (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > maxSize) return fail(tooLarge('lzma', maxSize));
      chunks.push(chunk);
    });
    decoder.on('error', (err: Error) => fail(new CompressionError(`lzma: ${err.message}`), true));
    decoder.on('end', () => {
      if (settled) return;
      settled = true;
      resolve(Buffer.concat(chunks, size));
    });
    let at = 0;
    const feed = () => {
      if (settled) return;
      // totalOut() is what liblzma produced so far, including output not yet emitted as 'data'.
      if (decoder.totalOut() > maxSize) return fail(tooLarge('lzma', maxSize));
      if (at >= input.length) return void decoder.end();
      const room = maxSize - Math.max(size, decoder.totalOut()) + 1;
      const slice = Math.max(LZMA_MIN_SLICE, Math.min(LZMA_MAX_SLICE, Math.floor(room / LZMA_MAX_RATIO)));
      const part = input.subarray(at, at + slice);
      at += part.length;
      decoder.write(part, feed);
    };
    feed();
  });
}
