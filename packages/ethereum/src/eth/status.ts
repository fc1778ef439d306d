import { RLP } from '@ethereumjs/rlp';
import { bytesToBigInt, bytesToNumber, fromHex, hex, uintBytes } from '../bytes.js';
import type { ForkId } from './fork-id.js';

/** eth versions we speak, best first: Status has the same shape in both (devp2p caps/eth.md). */
export const ETH_VERSIONS = [68, 67] as const;

export interface Status {
  version: number;
  networkId: number;
  /** Total difficulty, decimal. */
  td: string;
  /** 0x-prefixed hashes. */
  bestHash: string;
  genesisHash: string;
  forkId: ForkId;
}

export function encodeStatus(status: Status): Uint8Array {
  return RLP.encode([
    uintBytes(status.version),
    uintBytes(status.networkId),
    uintBytes(BigInt(status.td)),
    fromHex(status.bestHash),
    fromHex(status.genesisHash),
    [fromHex(status.forkId.hash), uintBytes(status.forkId.next)],
  ]);
}

export function decodeStatus(payload: Uint8Array): Status {
  const f = RLP.decode(payload, true).data;
  if (!Array.isArray(f) || f.length < 6) throw new Error('status: expected a list of 6+');
  const [version, networkId, td, best, genesis, fork] = f;
  if (![version, networkId, td, best, genesis].every((x) => x instanceof Uint8Array) || !Array.isArray(fork)
    || !(fork[0] instanceof Uint8Array) || !(fork[1] instanceof Uint8Array)) {
    throw new Error('status: bad field');
  }
  const b = (x: unknown) => x as Uint8Array;
  if (b(best).length !== 32 || b(genesis).length !== 32 || fork[0].length !== 4) throw new Error('status: bad hash length');
  return {
    version: bytesToNumber(b(version)),
    networkId: bytesToNumber(b(networkId)),
    td: bytesToBigInt(b(td)).toString(),
    bestHash: '0x' + hex(b(best)),
    genesisHash: '0x' + hex(b(genesis)),
    forkId: { hash: hex(fork[0]), next: bytesToNumber(fork[1]) },
  };
}
