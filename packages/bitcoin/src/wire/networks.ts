/**
 * Bitcoin networks: magic, default port and DNS seeds, as in Bitcoin Core's kernel/chainparams.cpp
 * (v28 onwards: testnet4 added, BIP94). The magic ("message start") is the 4 bytes every frame begins
 * with; `magic` is those bytes read as a little-endian uint32, the way the frame decoder compares them.
 */

export type NetworkName = 'mainnet' | 'testnet3' | 'testnet4' | 'signet' | 'regtest';

export interface BitcoinNetwork {
  readonly name: NetworkName;
  /** The message start bytes as a uint32 read little-endian (mainnet: 0xd9b4bef9). */
  readonly magic: number;
  /** The message start bytes in wire order (mainnet: f9 be b4 d9). */
  readonly magicBytes: Uint8Array;
  readonly port: number;
  /** DNS seeds, without Core's trailing dot. */
  readonly seeds: readonly string[];
}

function network(name: NetworkName, magicHex: string, port: number, seeds: string[]): BitcoinNetwork {
  const magicBytes = Uint8Array.from(Buffer.from(magicHex, 'hex'));
  const magic = (magicBytes[0] | (magicBytes[1] << 8) | (magicBytes[2] << 16) | (magicBytes[3] << 24)) >>> 0;
  return Object.freeze({ name, magic, magicBytes, port, seeds: Object.freeze(seeds) });
}

export const MAINNET = network('mainnet', 'f9beb4d9', 8333, [
  'seed.bitcoin.sipa.be',
  'dnsseed.bluematt.me',
  'dnsseed.bitcoin.dashjr-list-of-p2p-nodes.us',
  'seed.bitcoin.jonasschnelli.ch',
  'seed.btc.petertodd.net',
  'seed.bitcoin.sprovoost.nl',
  'dnsseed.emzy.de',
  'seed.bitcoin.wiz.biz',
  'seed.mainnet.achownodes.xyz',
]);

export const TESTNET3 = network('testnet3', '0b110907', 18333, [
  'testnet-seed.bitcoin.jonasschnelli.ch',
  'seed.tbtc.petertodd.net',
  'seed.testnet.bitcoin.sprovoost.nl',
  'testnet-seed.bluematt.me',
  'seed.testnet.achownodes.xyz',
]);

export const TESTNET4 = network('testnet4', '1c163f28', 48333, [
  'seed.testnet4.bitcoin.sprovoost.nl',
  'seed.testnet4.wiz.biz',
]);

/** The default signet (BIP325); a custom signet challenge has a different magic, not listed here. */
export const SIGNET = network('signet', '0a03cf40', 38333, [
  'seed.signet.bitcoin.sprovoost.nl',
  'seed.signet.achownodes.xyz',
]);

export const REGTEST = network('regtest', 'fabfb5da', 18444, []);

export const NETWORKS: readonly BitcoinNetwork[] = Object.freeze([MAINNET, TESTNET3, TESTNET4, SIGNET, REGTEST]);

const ALIASES: Record<string, NetworkName> = {
  main: 'mainnet', mainnet: 'mainnet', bitcoin: 'mainnet',
  test: 'testnet3', testnet: 'testnet3', testnet3: 'testnet3',
  testnet4: 'testnet4', signet: 'signet', regtest: 'regtest',
};

/** Looks a network up by name (also Core's chain names: main, test, testnet4, signet, regtest). */
export function getNetwork(name: string): BitcoinNetwork {
  const canonical = ALIASES[name.toLowerCase()];
  const found = NETWORKS.find((n) => n.name === canonical);
  if (!found) throw new RangeError(`unknown Bitcoin network "${name}" (known: ${NETWORKS.map((n) => n.name).join(', ')})`);
  return found;
}

/** The network whose magic this is, if any. */
export function networkByMagic(magic: number): BitcoinNetwork | undefined {
  return NETWORKS.find((n) => n.magic === magic >>> 0);
}
