export { startBcoinNode, type BcoinNode, type BcoinNodeOptions } from './bcoin-node.js';
