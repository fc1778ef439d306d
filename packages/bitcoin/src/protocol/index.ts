import type { Direction, Protocol } from '@peerscope/engine/protocol';
import { BitcoinCodec } from '../wire/codec.js';
import type { BitcoinMessage } from '../wire/message.js';
import type { BitcoinConfig } from './config.js';
import { handshake } from './handshake.js';
import { ready } from './ready.js';

/** Kept raw when a session reports each address once: ready reads them with scanGossip. */
const GOSSIP_COMMANDS = ['addr', 'addrv2'];

/** Failure reasons of Bitcoin's own, beyond the engine's and the common ones. */
export type BitcoinFailure = 'bad-magic' | 'bad-checksum';

/** The Bitcoin protocol for the engine's peer machine. Workers load this module by its URL. */
const bitcoinProtocol: Protocol<BitcoinMessage, BitcoinConfig, never, BitcoinFailure> = {
  name: 'bitcoin',
  failures: {
    'bad-magic': 'the message start (magic) belongs to another network, or is not Bitcoin at all',
    'bad-checksum': 'a payload whose double-SHA-256 does not match its header',
  },
  createCodec: (config: BitcoinConfig, _direction: Direction) =>
    new BitcoinCodec({ magic: config.magic, chunksReused: true, ...(config.addressMemory ? { keepRaw: GOSSIP_COMMANDS } : {}) }),
  handshake,
  ready,
};

export default bitcoinProtocol;
