export { startBcoinNode, type BcoinNode, type BcoinNodeOptions } from './bcoin-node.js';
export { startBcoinNetwork, type BcoinNetwork, type BcoinNetworkOptions } from './bcoin-network.js';
export { freePort } from './free-port.js';
export { startHostilePeer, type HostileBehaviour, type HostilePeer } from './hostile-peer.js';
export { startBitcoinSimnet, loopbackHosts, SIMNET_USER_AGENTS, type BitcoinSimnet, type BitcoinSimnetOptions, type SimPeerInfo } from './bitcoin-simnet.js';
export { REGTEST_GENESIS_HASH } from './virtual-chain.js';
