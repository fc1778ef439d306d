import type { MessageCodec } from '../message-codec.js';

/** BIP31 pong: echoes the nonce of the ping it answers. */
export interface PongMessage {
  command: 'pong';
  nonce: bigint;
}

export const pong: MessageCodec<PongMessage> = {
  command: 'pong',
  decode: (r) => ({ command: 'pong', nonce: r.u64le('nonce') }),
  encode: (m, w) => void w.u64le(m.nonce),
};
