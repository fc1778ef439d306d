import type { Direction, Protocol } from '@peerscope/engine/protocol';
import { EthCodec } from './codec.js';
import type { EthConfig } from './config.js';
import { ETH_FAILURES, handshake, type EthFailure } from './handshake.js';
import type { EthMessage } from './messages.js';
import { ready, type EthCommand } from './ready.js';

/** The Ethereum devp2p protocol (RLPx, p2p/5, eth/67–68) for the engine's generic peer machine. */
const ethereum: Protocol<EthMessage, EthConfig, EthCommand, EthFailure> = {
  name: 'ethereum',
  failures: ETH_FAILURES,
  createCodec: (config: EthConfig, direction: Direction) => new EthCodec(config, direction),
  handshake,
  ready,
};

export default ethereum;

/**
 * Module specifier workers load this protocol by: the .ts source when running from sources (workers
 * get no tsx ESM hook on Node 20, so the engine loads a .ts module through require), else the build.
 */
export const protocolModule = new URL(import.meta.url.endsWith('.ts') ? './protocol.ts' : './protocol.js', import.meta.url).href;
