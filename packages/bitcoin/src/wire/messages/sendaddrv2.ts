import { emptyMessage } from './empty.js';

/** BIP155: send addrv2 instead of addr. Must be sent between version and verack. */
export interface SendAddrV2Message {
  command: 'sendaddrv2';
}

export const sendaddrv2 = emptyMessage('sendaddrv2');
