import type { MessageCodec } from '../message-codec.js';
import { readInvList, writeInvList, type InvItem } from './inventory-list.js';

/** The vectors of a getdata the sender could not serve. */
export interface NotFoundMessage {
  command: 'notfound';
  items: InvItem[];
}

export const notfound: MessageCodec<NotFoundMessage> = {
  command: 'notfound',
  decode: (r) => ({ command: 'notfound', items: readInvList(r) }),
  encode: (m, w) => writeInvList(w, 'notfound', m.items),
};
