import { Services } from '@peerscope/bitcoin';
import { pickWeighted, type Random } from './seeded-random.js';

/** One kind of node software and its share of the network. */
export interface SoftwareShare {
  userAgent: string;
  /** Protocol version it sends in version. */
  version: number;
  /** Relative weight (shares need not sum to 1). */
  share: number;
  /** What it can advertise beyond NODE_NETWORK|NODE_WITNESS|NODE_NETWORK_LIMITED (see servicesFor). */
  family: 'core' | 'core-v2' | 'btcd' | 'bcoin' | 'spv';
}

/**
 * Roughly the reachable Bitcoin network of 2025 as public crawlers count it: mostly recent Core, a
 * long tail of old Core (people do not upgrade), about a tenth Knots, and a few alternative
 * implementations. Core 0.21 and later speak 70016 (BIP339 wtxidrelay); 0.19-0.20 speak 70015.
 */
export const MAINNET_SOFTWARE: readonly SoftwareShare[] = [
  { userAgent: '/Satoshi:29.0.0/', version: 70016, share: 16, family: 'core-v2' },
  { userAgent: '/Satoshi:28.1.0/', version: 70016, share: 15, family: 'core-v2' },
  { userAgent: '/Satoshi:28.0.0/', version: 70016, share: 5, family: 'core-v2' },
  { userAgent: '/Satoshi:27.0.0/', version: 70016, share: 11, family: 'core-v2' },
  { userAgent: '/Satoshi:27.1.0/', version: 70016, share: 5, family: 'core-v2' },
  { userAgent: '/Satoshi:26.0.0/', version: 70016, share: 8, family: 'core' },
  { userAgent: '/Satoshi:25.0.0/', version: 70016, share: 5, family: 'core' },
  { userAgent: '/Satoshi:24.0.1/', version: 70016, share: 4, family: 'core' },
  { userAgent: '/Satoshi:23.0.0/', version: 70016, share: 3, family: 'core' },
  { userAgent: '/Satoshi:22.0.0/', version: 70016, share: 3, family: 'core' },
  { userAgent: '/Satoshi:0.21.1/', version: 70016, share: 3, family: 'core' },
  { userAgent: '/Satoshi:0.20.1/', version: 70015, share: 1.5, family: 'core' },
  { userAgent: '/Satoshi:0.19.0.1/', version: 70015, share: 0.5, family: 'core' },
  { userAgent: '/Satoshi:28.1.0/Knots:20250305/', version: 70016, share: 6, family: 'core-v2' },
  { userAgent: '/Satoshi:27.1.0/Knots:20240801/', version: 70016, share: 4, family: 'core-v2' },
  { userAgent: '/btcd:0.24.2/', version: 70016, share: 1.5, family: 'btcd' },
  { userAgent: '/bcoin:2.2.0/', version: 70015, share: 0.5, family: 'bcoin' },
  // The odd ones a crawler meets: forks with comments, very old Core, an SPV wallet answering inbound.
  { userAgent: '/Satoshi:26.0.0(bitcore)/', version: 70016, share: 0.5, family: 'core' },
  { userAgent: '/Satoshi:0.16.3/', version: 70015, share: 0.5, family: 'core' },
  { userAgent: '/bitcoinj:0.16.3/Bitcoin Wallet:10.17/', version: 70015, share: 0.3, family: 'spv' },
  { userAgent: '/libbitcoin:3.8.0/', version: 70015, share: 0.2, family: 'bcoin' },
];

const FULL = Services.NETWORK | Services.WITNESS | Services.NETWORK_LIMITED;

/**
 * Service bits of one node of `family`. Core announces NODE_NETWORK_LIMITED beside NODE_NETWORK
 * (since 0.16); a pruned node drops NODE_NETWORK and keeps LIMITED (BIP159); NODE_COMPACT_FILTERS
 * needs -peerblockfilters (BIP157, rare); NODE_P2P_V2 (BIP324) is on by default since Core 27.0.
 */
export function servicesFor(family: SoftwareShare['family'], random: Random): bigint {
  const pruned = random() < 0.1;
  const filters = random() < 0.05;
  const v2 = random() < 0.85;
  switch (family) {
    case 'spv':
      return 0n;
    case 'btcd':
      // btcd serves the whole chain, bloom filters and BIP157 filters (its cfindex is on by default).
      return Services.NETWORK | Services.BLOOM | Services.WITNESS | Services.COMPACT_FILTERS;
    case 'bcoin':
      return Services.NETWORK | Services.WITNESS;
    case 'core':
    case 'core-v2': {
      let s = pruned ? FULL & ~Services.NETWORK : FULL;
      if (filters && !pruned) s |= Services.COMPACT_FILTERS;
      if (family === 'core-v2' && v2) s |= Services.P2P_V2;
      return s;
    }
  }
}

/** Picks one node's software from `mix`. */
export const pickSoftware = (random: Random, mix: readonly SoftwareShare[]) => pickWeighted(random, mix, (s) => s.share);
