/** Service bits a node advertises in version/addr (Core: protocol.h ServiceFlags). */
export const Services = {
  NETWORK: 1n << 0n, // full chain
  GETUTXO: 1n << 1n, // BIP64
  BLOOM: 1n << 2n, // BIP111
  WITNESS: 1n << 3n, // BIP144
  XTHIN: 1n << 4n, // Bitcoin Unlimited's Xtreme Thinblocks, never in Core
  COMPACT_FILTERS: 1n << 6n, // BIP157
  NETWORK_LIMITED: 1n << 10n, // BIP159: last 288 blocks only
  P2P_V2: 1n << 11n, // BIP324
} as const;

export type ServiceName = keyof typeof Services;

const NAMES = new Map<bigint, string>(Object.entries(Services).map(([name, bit]) => [bit, name]));

/** Names of the bits set in `services`, lowest bit first; bits without a name as `bit<N>`. */
export function serviceNames(services: bigint): string[] {
  const out: string[] = [];
  let rest = BigInt.asUintN(64, services);
  for (let n = 0n; rest !== 0n; n++, rest >>= 1n) {
    if ((rest & 1n) === 0n) continue;
    out.push(NAMES.get(1n << n) ?? `bit${n}`);
  }
  return out;
}
