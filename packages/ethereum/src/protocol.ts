import type { Direction, Protocol } from '@peerscope/engine';
import { EthCodec } from './codec.js';
import type { EthConfig } from './config.js';
import { handshake } from './handshake.js';
import type { EthMessage } from './messages.js';
import { session } from './session.js';

/** The Ethereum devp2p protocol (RLPx, p2p/5, eth/67–68) for the engine's generic peer machine. */
const ethereum: Protocol<EthMessage, EthConfig> = {
  name: 'ethereum',
  createCodec: (config: EthConfig, direction: Direction) => new EthCodec(config, direction),
  handshake,
  session,
};

export default ethereum;

/** Module specifier workers load this protocol by (tsx maps .js to .ts when running from sources). */
export const protocolModule = new URL('./protocol.js', import.meta.url).href;
