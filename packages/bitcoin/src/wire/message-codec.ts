import type { PayloadReader } from './reader.js';
import type { PayloadWriter } from './writer.js';

/** Decode and encode of one command's payload. */
export interface MessageCodec<M extends { command: string }> {
  readonly command: M['command'];
  /**
   * Reads the payload. The caller checks that nothing is left over afterwards, so a codec that
   * tolerates trailing bytes (version) must consume them itself.
   */
  decode(r: PayloadReader): M;
  encode(message: M, w: PayloadWriter): void;
}
