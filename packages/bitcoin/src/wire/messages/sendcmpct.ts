import type { MessageCodec } from '../message-codec.js';

/**
 * BIP152: compact block relay. `announce` asks for high-bandwidth mode (cmpctblock without inv);
 * `version` is 1 (pre-segwit) or 2 (segwit). Any non-zero announce byte is true, as Core reads a bool.
 */
export interface SendCmpctMessage {
  command: 'sendcmpct';
  announce: boolean;
  version: bigint;
}

export const sendcmpct: MessageCodec<SendCmpctMessage> = {
  command: 'sendcmpct',
  decode: (r) => ({ command: 'sendcmpct', announce: r.bool('announce'), version: r.u64le('version') }),
  encode: (m, w) => void w.bool(m.announce).u64le(m.version),
};
