import { emptyMessage } from './empty.js';

/** BIP130: announce new blocks with headers instead of inv. */
export interface SendHeadersMessage {
  command: 'sendheaders';
}

export const sendheaders = emptyMessage('sendheaders');
