import { createHash } from 'node:crypto';
import { ipToBytes, ipv4ToBytes, ipv6ToString } from '../address.js';
import { base32Decode, base32Encode } from '../base32.js';
import { malformed } from '../errors.js';
import { MAX_ADDR, MAX_ADDRV2_SIZE } from '../limits.js';
import type { MessageCodec } from '../message-codec.js';
import type { PayloadReader } from '../reader.js';

/** BIP155 networks this codec understands. */
export type AddrV2Network = 'ipv4' | 'ipv6' | 'torv3' | 'i2p' | 'cjdns';

/**
 * One BIP155 address. `host` is text: dotted IPv4, RFC 5952 IPv6 (also for CJDNS),
 * `<56 base32>.onion` for Tor v3, `<52 base32>.b32.i2p` for I2P.
 */
export interface AddrV2Entry {
  time: number;
  services: bigint;
  network: AddrV2Network;
  host: string;
  port: number;
}

/**
 * BIP155 addrv2. Per BIP155, entries with an unknown network id are skipped (Tor v2, id 3, counts as
 * unknown: Core dropped it in 22.0), an address longer than MAX_ADDRV2_SIZE or of the wrong length for
 * its network is malformed, services is a CompactSize. More than MAX_ADDR entries is malformed.
 */
export interface AddrV2Message {
  command: 'addrv2';
  addresses: AddrV2Entry[];
}

const NETWORK_IDS: Record<AddrV2Network, number> = { ipv4: 1, ipv6: 2, torv3: 4, i2p: 5, cjdns: 6 };
const BY_ID: readonly (AddrV2Network | undefined)[] = [undefined, 'ipv4', 'ipv6', undefined, 'torv3', 'i2p', 'cjdns'];
const SIZES: Readonly<Record<AddrV2Network, number>> = { ipv4: 4, ipv6: 16, torv3: 32, i2p: 32, cjdns: 16 };

/**
 * The network of entry `i` from its BIP155 id and address length: undefined for an unknown network
 * (skipped, as BIP155 says), malformed when the length is wrong for a known one.
 */
export function addrv2Network(id: number, size: number, i: number): AddrV2Network | undefined {
  const network = BY_ID[id];
  if (network !== undefined && size !== SIZES[network]) {
    throw malformed(`addrv2: entry ${i}: ${network} address of ${size} bytes (should be ${SIZES[network]})`);
  }
  return network;
}

const TORV3_VERSION = 3;

/** Tor rend-spec-v3: CHECKSUM = SHA3-256(".onion checksum" | PUBKEY | VERSION)[:2]. */
function torChecksum(pubkey: Uint8Array): Uint8Array {
  return createHash('sha3-256').update('.onion checksum').update(pubkey).update(Uint8Array.of(TORV3_VERSION)).digest().subarray(0, 2);
}

/** The text of a BIP155 address held in b[at, at + size). */
export function addrv2Host(network: AddrV2Network, b: Uint8Array, at: number, size: number): string {
  switch (network) {
    case 'ipv4':
      return b[at] + '.' + b[at + 1] + '.' + b[at + 2] + '.' + b[at + 3];
    case 'ipv6':
    case 'cjdns':
      return ipv6ToString(b, at);
    case 'torv3': {
      const pubkey = b.subarray(at, at + size);
      const full = new Uint8Array(35);
      full.set(pubkey);
      full.set(torChecksum(pubkey), 32);
      full[34] = TORV3_VERSION;
      return base32Encode(full) + '.onion';
    }
    case 'i2p':
      return base32Encode(b.subarray(at, at + size)) + '.b32.i2p';
  }
}

function addressBytes(e: AddrV2Entry): Uint8Array {
  switch (e.network) {
    case 'ipv4':
      return ipv4ToBytes(e.host);
    case 'ipv6':
    case 'cjdns':
      return ipToBytes(e.host);
    case 'torv3': {
      if (!e.host.endsWith('.onion')) throw new TypeError(`not a Tor v3 address: "${e.host}"`);
      const full = base32Decode(e.host.slice(0, -'.onion'.length));
      if (full.length !== 35 || full[34] !== TORV3_VERSION) throw new TypeError(`not a Tor v3 address: "${e.host}"`);
      return full.subarray(0, 32);
    }
    case 'i2p': {
      if (!e.host.endsWith('.b32.i2p')) throw new TypeError(`not an I2P address: "${e.host}"`);
      return base32Decode(e.host.slice(0, -'.b32.i2p'.length));
    }
  }
}

function readEntry(r: PayloadReader, i: number): AddrV2Entry | undefined {
  const time = r.u32le('time');
  const services = r.compactSizeBig('services');
  const id = r.u8('network id');
  const size = r.count(MAX_ADDRV2_SIZE, 'address length');
  const at = r.take(size, 'address');
  const port = r.u16be();
  const network = addrv2Network(id, size, i);
  if (network === undefined) return undefined;
  return { time, services, network, host: addrv2Host(network, r.buf, at, size), port };
}

export const addrv2: MessageCodec<AddrV2Message> = {
  command: 'addrv2',
  decode(r) {
    const n = r.count(MAX_ADDR, 'address count');
    const addresses: AddrV2Entry[] = [];
    for (let i = 0; i < n; i++) {
      const e = readEntry(r, i);
      if (e) addresses.push(e);
    }
    return { command: 'addrv2', addresses };
  },
  encode(m, w) {
    if (m.addresses.length > MAX_ADDR) throw new RangeError(`addrv2: ${m.addresses.length} entries over ${MAX_ADDR}`);
    w.compactSize(m.addresses.length);
    for (const e of m.addresses) {
      const bytes = addressBytes(e);
      if (bytes.length !== SIZES[e.network]) throw new RangeError(`addrv2: ${e.network} address "${e.host}" is not ${SIZES[e.network]} bytes`);
      w.u32le(e.time).compactSize(e.services).u8(NETWORK_IDS[e.network]).compactSize(bytes.length).bytes(bytes).u16be(e.port);
    }
  },
};
