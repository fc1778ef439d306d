import type { Direction, Protocol } from '@peerscope/engine';
import { BitcoinCodec } from '../wire/codec.js';
import type { BitcoinMessage } from '../wire/message.js';
import type { BitcoinConfig } from './config.js';
import { handshake } from './handshake.js';
import { session } from './session.js';

/** The Bitcoin protocol for the engine's peer machine. Workers load this module by its URL. */
const bitcoinProtocol: Protocol<BitcoinMessage, BitcoinConfig> = {
  name: 'bitcoin',
  createCodec: (config: BitcoinConfig, _direction: Direction) => new BitcoinCodec({ magic: config.magic }),
  handshake,
  session,
};

export default bitcoinProtocol;
