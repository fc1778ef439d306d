declare module 'lzma-native' {
  interface LzmaOptions { preset?: number; check?: number; memlimit?: number }
  const lzma: {
    CHECK_CRC64: number;
    compress(input: Uint8Array, options?: LzmaOptions): Promise<Buffer>;
    decompress(input: Uint8Array, options?: LzmaOptions): Promise<Buffer>;
  };
  export default lzma;
}
