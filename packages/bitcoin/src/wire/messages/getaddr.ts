import { emptyMessage } from './empty.js';

/** Asks for addresses; Core answers once per connection (from its address manager). */
export interface GetAddrMessage {
  command: 'getaddr';
}

export const getaddr = emptyMessage('getaddr');
