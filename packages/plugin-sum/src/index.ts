export { SumNode, SUM_LIMITS, type SumResult, type SumOptions, type NodeTotal } from './sum-node.js';
export { NumberStore, StoreError } from './store.js';
export { parseInteger, NotAnInteger } from './integer.js';
export { runSumApp, type SumAppOptions, type SumAppIo } from './app.js';
