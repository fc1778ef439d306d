import { emptyMessage } from './empty.js';

/** Acknowledges the peer's version; the handshake is done when both sides have sent one. */
export interface VerackMessage {
  command: 'verack';
}

export const verack = emptyMessage('verack');
