import { RLP } from '@ethereumjs/rlp';

/** eth/66–68 message ids relative to the capability's offset (devp2p caps/eth.md). */
export const ETH_MESSAGES: Readonly<Record<number, string>> = {
  0x00: 'Status',
  0x01: 'NewBlockHashes',
  0x02: 'Transactions',
  0x03: 'GetBlockHeaders',
  0x04: 'BlockHeaders',
  0x05: 'GetBlockBodies',
  0x06: 'BlockBodies',
  0x07: 'NewBlock',
  0x08: 'NewPooledTransactionHashes',
  0x09: 'GetPooledTransactions',
  0x0a: 'PooledTransactions',
  0x0d: 'GetNodeData',
  0x0e: 'NodeData',
  0x0f: 'GetReceipts',
  0x10: 'Receipts',
};
/** Number of message ids eth/67 and eth/68 reserve (0x00–0x10). */
export const ETH_LENGTH = 17;
export const EthCode = { status: 0x00, newBlockHashes: 0x01, newBlock: 0x07 } as const;

/**
 * Requests a peer may send us, and the id of their (empty) answer. We hold no chain; answering "none"
 * keeps the peer from dropping us for an unanswered request (eth/66+ requests carry an id to echo).
 */
export const EMPTY_ANSWERS: Readonly<Record<number, number>> = {
  0x03: 0x04, // GetBlockHeaders → BlockHeaders
  0x05: 0x06, // GetBlockBodies → BlockBodies
  0x09: 0x0a, // GetPooledTransactions → PooledTransactions
  0x0f: 0x10, // GetReceipts → Receipts
};

export function requestId(payload: Uint8Array): Uint8Array | undefined {
  const decoded = RLP.decode(payload, true).data;
  return Array.isArray(decoded) && decoded[0] instanceof Uint8Array ? decoded[0] : undefined;
}

export function emptyAnswer(id: Uint8Array): Uint8Array {
  return RLP.encode([id, []]);
}

/** Highest block number announced by NewBlockHashes ([[hash, number], …]) or NewBlock ([block, td]). */
export function announcedHeight(code: number, payload: Uint8Array): number | undefined {
  const decoded = RLP.decode(payload, true).data;
  if (!Array.isArray(decoded)) return undefined;
  const toNum = (b: unknown) => (b instanceof Uint8Array && b.length <= 6 ? Number('0x' + (Buffer.from(b).toString('hex') || '0')) : undefined);
  if (code === EthCode.newBlockHashes) {
    let max: number | undefined;
    for (const entry of decoded) {
      const n = Array.isArray(entry) ? toNum(entry[1]) : undefined;
      if (n !== undefined && (max === undefined || n > max)) max = n;
    }
    return max;
  }
  if (code === EthCode.newBlock) {
    const header = Array.isArray(decoded[0]) ? decoded[0][0] : undefined;
    return Array.isArray(header) ? toNum(header[8]) : undefined;
  }
  return undefined;
}
