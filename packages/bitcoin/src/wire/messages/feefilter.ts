import type { MessageCodec } from '../message-codec.js';

/** BIP133: do not announce transactions paying less than `feeRate` satoshis per 1000 vbytes (int64, CAmount). */
export interface FeeFilterMessage {
  command: 'feefilter';
  feeRate: bigint;
}

export const feefilter: MessageCodec<FeeFilterMessage> = {
  command: 'feefilter',
  decode: (r) => ({ command: 'feefilter', feeRate: r.i64le('feerate') }),
  encode: (m, w) => void w.i64le(m.feeRate),
};
