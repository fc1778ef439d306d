import { RpcError } from './client.js';

/** JSON-RPC QUANTITY ("0x1a") as a number; larger than 2^53 only where a string is asked for. */
export function quantity(value: unknown, field: string): number {
  const big = quantityBig(value, field);
  if (big > BigInt(Number.MAX_SAFE_INTEGER)) throw new RpcError('non-json', `${field}: ${value} is too large`);
  return Number(big);
}

export function quantityBig(value: unknown, field: string): bigint {
  if (typeof value !== 'string' || !/^0x[0-9a-fA-F]+$/.test(value)) {
    throw new RpcError('non-json', `${field}: not a quantity: ${JSON.stringify(value)?.slice(0, 40)}`);
  }
  return BigInt(value);
}

export function hash32(value: unknown, field: string): string {
  if (typeof value !== 'string' || !/^0x[0-9a-fA-F]{64}$/.test(value)) {
    throw new RpcError('non-json', `${field}: not a 32-byte hash`);
  }
  return value.toLowerCase();
}
