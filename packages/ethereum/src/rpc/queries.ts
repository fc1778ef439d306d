import { rpcCall, RpcError, type CallOptions } from './client.js';
import { hash32, quantity, quantityBig } from './quantity.js';

export interface BlockSummary {
  number: number;
  hash: string;
  parentHash: string;
  /** Seconds since the epoch. */
  timestamp: number;
  transactionCount: number;
  miner?: string;
  gasUsed?: number;
  gasLimit?: number;
  /** Wei, decimal (EIP-1559 blocks only). */
  baseFeePerGas?: string;
}

export interface TransactionSummary {
  hash: string;
  /** null while pending. */
  blockNumber: number | null;
  blockHash: string | null;
  from: string;
  /** null for contract creation. */
  to: string | null;
  /** Wei, decimal. */
  value: string;
  nonce: number;
  gas: number;
  /** Wei, decimal. */
  gasPrice?: string;
  type: number;
  inputBytes: number;
}

export type BlockTag = number | 'latest' | 'earliest' | 'pending' | 'safe' | 'finalized';

/** eth_getBlockByNumber without transaction bodies; null when the node has no such block. */
export async function getBlock(url: string, block: BlockTag, options?: CallOptions): Promise<BlockSummary | null> {
  const tag = typeof block === 'number' ? '0x' + block.toString(16) : block;
  const raw = await rpcCall<Record<string, unknown> | null>(url, 'eth_getBlockByNumber', [tag, false], options);
  return raw === null ? null : blockSummary(raw);
}

export function blockSummary(raw: Record<string, unknown>): BlockSummary {
  if (!raw || typeof raw !== 'object') throw new RpcError('non-json', 'block: not an object');
  if (!Array.isArray(raw.transactions)) throw new RpcError('non-json', 'block: no transactions list');
  return {
    number: quantity(raw.number, 'number'),
    hash: hash32(raw.hash, 'hash'),
    parentHash: hash32(raw.parentHash, 'parentHash'),
    timestamp: quantity(raw.timestamp, 'timestamp'),
    transactionCount: raw.transactions.length,
    miner: typeof raw.miner === 'string' ? raw.miner : undefined,
    gasUsed: raw.gasUsed === undefined ? undefined : quantity(raw.gasUsed, 'gasUsed'),
    gasLimit: raw.gasLimit === undefined ? undefined : quantity(raw.gasLimit, 'gasLimit'),
    baseFeePerGas: raw.baseFeePerGas === undefined ? undefined : quantityBig(raw.baseFeePerGas, 'baseFeePerGas').toString(),
  };
}

/** eth_getTransactionByHash; null when the node does not know the transaction. */
export async function getTransaction(url: string, hash: string, options?: CallOptions): Promise<TransactionSummary | null> {
  if (!/^0x[0-9a-fA-F]{64}$/.test(hash)) throw new RangeError(`not a transaction hash: ${hash}`);
  const raw = await rpcCall<Record<string, unknown> | null>(url, 'eth_getTransactionByHash', [hash], options);
  if (raw === null) return null;
  if (typeof raw !== 'object') throw new RpcError('non-json', 'transaction: not an object');
  return {
    hash: hash32(raw.hash, 'hash'),
    blockNumber: raw.blockNumber == null ? null : quantity(raw.blockNumber, 'blockNumber'),
    blockHash: raw.blockHash == null ? null : hash32(raw.blockHash, 'blockHash'),
    from: String(raw.from),
    to: raw.to == null ? null : String(raw.to),
    value: quantityBig(raw.value, 'value').toString(),
    nonce: quantity(raw.nonce, 'nonce'),
    gas: quantity(raw.gas, 'gas'),
    gasPrice: raw.gasPrice == null ? undefined : quantityBig(raw.gasPrice, 'gasPrice').toString(),
    type: raw.type == null ? 0 : quantity(raw.type, 'type'),
    inputBytes: typeof raw.input === 'string' ? Math.max(0, (raw.input.length - 2) / 2) : 0,
  };
}
