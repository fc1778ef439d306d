declare module 'compressjs' {
  interface Codec {
    compressFile(input: Uint8Array, output?: null, blockSizeMultiplier?: number): Uint8Array | number[];
    decompressFile(input: Uint8Array): Uint8Array | number[];
  }
  const compressjs: { Bzip2: Codec };
  export default compressjs;
}
