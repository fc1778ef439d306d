import { readTimedNetAddress, writeTimedNetAddress, type TimedNetAddress } from '../address.js';
import { MAX_ADDR } from '../limits.js';
import type { MessageCodec } from '../message-codec.js';

/** Known addresses with the time each was last seen. More than MAX_ADDR entries is malformed (Core: misbehaving). */
export interface AddrMessage {
  command: 'addr';
  addresses: TimedNetAddress[];
}

export const addr: MessageCodec<AddrMessage> = {
  command: 'addr',
  decode(r) {
    const n = r.count(MAX_ADDR, 'address count');
    const addresses = new Array<TimedNetAddress>(n);
    for (let i = 0; i < n; i++) addresses[i] = readTimedNetAddress(r);
    return { command: 'addr', addresses };
  },
  encode(m, w) {
    if (m.addresses.length > MAX_ADDR) throw new RangeError(`addr: ${m.addresses.length} entries over ${MAX_ADDR}`);
    w.compactSize(m.addresses.length);
    for (const a of m.addresses) writeTimedNetAddress(w, a);
  },
};
