export { rpcCall, parseRpcResponse, RpcError, DEFAULT_RPC_TIMEOUT_MS, MAX_RESPONSE_BYTES, type RpcErrorKind, type CallOptions } from './client.js';
export { pollEndpoint, pollEach, type RpcSnapshot, type RpcField, type SyncProgress, type PollOptions, type PollEachOptions } from './poll.js';
export { getBlock, getTransaction, type BlockSummary, type TransactionSummary, type BlockTag } from './queries.js';
