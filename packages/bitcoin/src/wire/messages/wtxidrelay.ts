import { emptyMessage } from './empty.js';

/** BIP339: announce transactions by wtxid. Must be sent between version and verack. */
export interface WtxidRelayMessage {
  command: 'wtxidrelay';
}

export const wtxidrelay = emptyMessage('wtxidrelay');
