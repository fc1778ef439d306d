import type { MessageCodec } from '../message-codec.js';
import { readInvList, writeInvList, type InvItem } from './inventory-list.js';

/** Requests the objects named by the vectors (answered with tx/block/… or notfound). */
export interface GetDataMessage {
  command: 'getdata';
  items: InvItem[];
}

export const getdata: MessageCodec<GetDataMessage> = {
  command: 'getdata',
  decode: (r) => ({ command: 'getdata', items: readInvList(r) }),
  encode: (m, w) => writeInvList(w, 'getdata', m.items),
};
