/** Inventory vector types (Core: protocol.h GetDataMsg). */
export const InvType = {
  ERROR: 0,
  TX: 1,
  BLOCK: 2,
  FILTERED_BLOCK: 3, // BIP37 merkleblock
  CMPCT_BLOCK: 4, // BIP152
  WTX: 5, // BIP339: hash is a wtxid
  WITNESS_TX: 0x40000001, // BIP144: MSG_WITNESS_FLAG | TX, getdata only
  WITNESS_BLOCK: 0x40000002,
  FILTERED_WITNESS_BLOCK: 0x40000003,
} as const;

const NAMES: Record<number, string> = {
  [InvType.ERROR]: 'error',
  [InvType.TX]: 'tx',
  [InvType.BLOCK]: 'block',
  [InvType.FILTERED_BLOCK]: 'filtered-block',
  [InvType.CMPCT_BLOCK]: 'cmpct-block',
  [InvType.WTX]: 'wtx',
  [InvType.WITNESS_TX]: 'witness-tx',
  [InvType.WITNESS_BLOCK]: 'witness-block',
  [InvType.FILTERED_WITNESS_BLOCK]: 'filtered-witness-block',
};

/** A stable name for statistics; types without a name as `type<N>` (N in hex, 0x…). */
export function invTypeName(type: number): string {
  return NAMES[type] ?? `type0x${(type >>> 0).toString(16)}`;
}
