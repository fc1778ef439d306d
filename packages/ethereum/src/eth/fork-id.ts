import { crc32 } from 'node:zlib';
import { fromHex, hex } from '../bytes.js';
import type { ChainParams } from './chain.js';

export interface ForkId {
  /** 4 bytes, hex without 0x. */
  hash: string;
  /** Block number or timestamp of the next fork, 0 if none is scheduled. */
  next: number;
}

/**
 * EIP-2124 fork identifier at a head (block number, timestamp): CRC32 over the genesis hash and every
 * passed fork activation (uint64 big-endian), plus the next one. Forks at genesis are not counted; a
 * number shared by several forks counts once. Timestamp forks follow EIP-6122.
 */
export function forkId(chain: ChainParams, head: { number: number; time: number }): ForkId {
  let sum = crc32(fromHex(chain.genesisHash));
  const blocks = [...new Set(chain.forkBlocks)].filter((b) => b > 0).sort((a, b) => a - b);
  const times = [...new Set(chain.forkTimes)].filter((t) => t > chain.genesisTime).sort((a, b) => a - b);
  for (const b of blocks) {
    if (b > head.number) return { hash: checksumHex(sum), next: b };
    sum = crc32(uint64(b), sum);
  }
  for (const t of times) {
    if (t > head.time) return { hash: checksumHex(sum), next: t };
    sum = crc32(uint64(t), sum);
  }
  return { hash: checksumHex(sum), next: 0 };
}

/** The fork id a synced node announces now: every block fork passed, timestamp forks by the clock. */
export function currentForkId(chain: ChainParams, nowSeconds = Math.floor(Date.now() / 1000)): ForkId {
  return forkId(chain, { number: Number.MAX_SAFE_INTEGER, time: nowSeconds });
}

export function formatForkId(id: ForkId): string {
  return `0x${id.hash}/${id.next}`;
}

function uint64(value: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(value));
  return out;
}

function checksumHex(sum: number): string {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, sum >>> 0);
  return hex(out);
}
