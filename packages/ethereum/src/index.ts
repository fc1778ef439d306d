// Engine plug-in: the Protocol (default export of ./protocol.js, loaded by workers by specifier).
export { default as ethereumProtocol, protocolModule } from './protocol.js';
export { ethereum, DEFAULT_RLPX_PORT, type EthereumChoice, type EthereumMonitorOptions } from './monitor-choice.js';
export { ethConfig, DEFAULT_CLIENT_ID, DEFAULT_PING_INTERVAL_MS, type EthConfig, type EthConfigOptions } from './config.js';
export type { EthCommand } from './ready.js';

// devp2p pieces, for embedding and tests.
export { EthCodec, MAX_MESSAGE_SIZE } from './codec.js';
export type { EthMessage } from './messages.js';
export { parseEnode, formatEnode, enodeAddress, nodeIdHash, type Enode } from './enode.js';
export { ETH_FAILURES, HANDSHAKE_SEEN, type EthFailure } from './handshake.js';
export type { ChainParams } from './eth/chain.js';
export { NETWORKS, network } from './eth/networks.js';
export { forkId, currentForkId, formatForkId, type ForkId } from './eth/fork-id.js';
export type { Status } from './eth/status.js';
export type { Hello, Capability } from './p2p/hello.js';
export { DISCONNECT_REASONS, disconnectReasonName } from './p2p/disconnect.js';
export * from './discv4/index.js';

// JSON-RPC monitoring (no engine needed).
export * from './rpc/index.js';
