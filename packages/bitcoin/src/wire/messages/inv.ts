import type { MessageCodec } from '../message-codec.js';
import { readInvList, writeInvList, type InvItem } from './inventory-list.js';

/** Announces transactions and blocks the sender has. */
export interface InvMessage {
  command: 'inv';
  items: InvItem[];
}

export const inv: MessageCodec<InvMessage> = {
  command: 'inv',
  decode: (r) => ({ command: 'inv', items: readInvList(r) }),
  encode: (m, w) => writeInvList(w, 'inv', m.items),
};
