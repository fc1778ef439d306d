declare module 'lzma-native' {
  import type { Transform } from 'node:stream';
  interface LzmaOptions { preset?: number; check?: number; memlimit?: number }
  interface LzmaStream extends Transform {
    /** Bytes the native coder has produced so far (updated before they are emitted as 'data'). */
    totalOut(): number;
  }
  const lzma: {
    CHECK_CRC64: number;
    compress(input: Uint8Array, options?: LzmaOptions): Promise<Buffer>;
    decompress(input: Uint8Array, options?: LzmaOptions): Promise<Buffer>;
    createDecompressor(options?: LzmaOptions): LzmaStream;
  };
  export default lzma;
}
