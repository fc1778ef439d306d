import type { MessageCodec } from '../message-codec.js';

/**
 * BIP31 ping: a nonce the peer echoes in its pong. Exactly 8 bytes: the nonce-less ping of protocol
 * versions ≤ 60000 predates every version Core still talks to (MIN_PEER_PROTO_VERSION 31800 aside).
 */
export interface PingMessage {
  command: 'ping';
  nonce: bigint;
}

export const ping: MessageCodec<PingMessage> = {
  command: 'ping',
  decode: (r) => ({ command: 'ping', nonce: r.u64le('nonce') }),
  encode: (m, w) => void w.u64le(m.nonce),
};
