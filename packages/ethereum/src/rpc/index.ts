export { rpcCall, RpcError, DEFAULT_RPC_TIMEOUT_MS, type RpcErrorKind, type CallOptions } from './client.js';
export { pollEndpoint, type RpcSnapshot, type RpcField, type SyncProgress, type PollOptions } from './poll.js';
export { getBlock, getTransaction, type BlockSummary, type TransactionSummary, type BlockTag } from './queries.js';
