declare module 'compressjs' {
  /** compressjs writes its output one byte at a time into any object with writeByte. */
  interface ByteSink { writeByte(byte: number): void }
  interface Codec {
    compressFile(input: Uint8Array, output?: null, blockSizeMultiplier?: number): Uint8Array | number[];
    decompressFile(input: Uint8Array, output?: ByteSink | null, multistream?: boolean): Uint8Array | number[];
  }
  const compressjs: { Bzip2: Codec };
  export default compressjs;
}
