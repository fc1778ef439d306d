import { isIP } from 'node:net';
import { RLP } from '@ethereumjs/rlp';
import { bytesToNumber, concat, equal, hex, uintBytes } from '../bytes.js';
import { keccak256, publicKeyToId, recoverPublicKey, type KeyPair } from '../rlpx/crypto.js';

/** devp2p discv4.md: packets larger than this are not valid. */
export const MAX_PACKET_SIZE = 1280;
const HEADER = 32 + 65; // hash + signature
export const DISCV4_VERSION = 4;
/** Seconds a packet stays valid; receivers drop expired ones. */
export const EXPIRATION_S = 20;

export interface Endpoint {
  ip: string;
  udpPort: number;
  tcpPort: number;
}

export interface NeighbourNode extends Endpoint {
  /** 64-byte node id, hex. */
  id: string;
}

export type Discv4Packet =
  | { type: 'ping'; version: number; from: Endpoint; to: Endpoint; expiration: number; enrSeq?: bigint }
  | { type: 'pong'; to: Endpoint; pingHash: string; expiration: number; enrSeq?: bigint }
  | { type: 'findnode'; target: string; expiration: number }
  | { type: 'neighbours'; nodes: NeighbourNode[]; expiration: number }
  | { type: 'enrrequest'; expiration: number }
  | { type: 'enrresponse'; requestHash: string };

const TYPE_IDS = { ping: 1, pong: 2, findnode: 3, neighbours: 4, enrrequest: 5, enrresponse: 6 } as const;

export interface DecodedPacket {
  packet: Discv4Packet;
  /** The packet's hash (its first 32 bytes), hex: what a pong echoes. */
  hash: string;
  /** Sender's node id recovered from the signature, hex. */
  nodeId: string;
}

/** hash ‖ signature ‖ type ‖ rlp(data): the signature covers type ‖ data, the hash covers signature ‖ type ‖ data. */
export function encodePacket(packet: Discv4Packet, key: KeyPair): { bytes: Uint8Array; hash: string } {
  const body = concat(Uint8Array.of(TYPE_IDS[packet.type]), RLP.encode(packetFields(packet) as never));
  const sig = key.sign(keccak256(body));
  const hash = keccak256(concat(sig, body));
  return { bytes: concat(hash, sig, body), hash: hex(hash) };
}

export function expiration(nowMs = Date.now()): number {
  return Math.floor(nowMs / 1000) + EXPIRATION_S;
}

function packetFields(p: Discv4Packet): unknown[] {
  switch (p.type) {
    case 'ping': {
      const f: unknown[] = [uintBytes(p.version), endpointFields(p.from), endpointFields(p.to), uintBytes(p.expiration)];
      if (p.enrSeq !== undefined) f.push(uintBytes(p.enrSeq));
      return f;
    }
    case 'pong': {
      const f: unknown[] = [endpointFields(p.to), Buffer.from(p.pingHash, 'hex'), uintBytes(p.expiration)];
      if (p.enrSeq !== undefined) f.push(uintBytes(p.enrSeq));
      return f;
    }
    case 'findnode':
      return [Buffer.from(p.target, 'hex'), uintBytes(p.expiration)];
    case 'neighbours':
      return [p.nodes.map((n) => [...endpointFields(n), Buffer.from(n.id, 'hex')]), uintBytes(p.expiration)];
    case 'enrrequest':
      return [uintBytes(p.expiration)];
    case 'enrresponse':
      return [Buffer.from(p.requestHash, 'hex'), []];
  }
}

/**
 * Verifies and decodes a packet. EIP-8: extra list elements and data after the RLP list are ignored;
 * unknown packet types yield undefined (to be dropped silently).
 */
export function decodePacket(bytes: Uint8Array): DecodedPacket | undefined {
  if (bytes.length < HEADER + 2) throw new Error('discv4: packet too short');
  if (bytes.length > MAX_PACKET_SIZE) throw new Error('discv4: packet too large');
  const hash = bytes.subarray(0, 32);
  if (!equal(hash, keccak256(bytes.subarray(32)))) throw new Error('discv4: bad hash');
  const body = bytes.subarray(HEADER);
  const publicKey = recoverPublicKey(bytes.subarray(32, HEADER), keccak256(body));
  const data = RLP.decode(body.subarray(1), true).data;
  if (!Array.isArray(data)) throw new Error('discv4: body is not a list');
  const packet = decodeFields(body[0], data);
  return packet && { packet, hash: hex(hash), nodeId: hex(publicKeyToId(publicKey)) };
}

function decodeFields(type: number, f: unknown[]): Discv4Packet | undefined {
  const b = (i: number): Uint8Array => {
    if (!(f[i] instanceof Uint8Array)) throw new Error(`discv4: field ${i} is not bytes`);
    return f[i] as Uint8Array;
  };
  switch (type) {
    case 1:
      return {
        type: 'ping', version: bytesToNumber(b(0)), from: decodeEndpoint(f[1]), to: decodeEndpoint(f[2]),
        expiration: bytesToNumber(b(3)), enrSeq: f[4] instanceof Uint8Array ? BigInt('0x' + (hex(f[4]) || '0')) : undefined,
      };
    case 2:
      return {
        type: 'pong', to: decodeEndpoint(f[0]), pingHash: hex(b(1)), expiration: bytesToNumber(b(2)),
        enrSeq: f[3] instanceof Uint8Array ? BigInt('0x' + (hex(f[3]) || '0')) : undefined,
      };
    case 3:
      return { type: 'findnode', target: hex(b(0)), expiration: bytesToNumber(b(1)) };
    case 4: {
      if (!Array.isArray(f[0])) throw new Error('discv4: neighbours is not a list');
      const nodes: NeighbourNode[] = [];
      for (const n of f[0]) {
        if (!Array.isArray(n) || !(n[3] instanceof Uint8Array) || n[3].length !== 64) continue;
        try {
          nodes.push({ ...decodeEndpoint(n), id: hex(n[3]) });
        } catch {
          // one bad entry does not spoil the rest
        }
      }
      return { type: 'neighbours', nodes, expiration: bytesToNumber(b(1)) };
    }
    case 5:
      return { type: 'enrrequest', expiration: bytesToNumber(b(0)) };
    case 6:
      return { type: 'enrresponse', requestHash: hex(b(0)) };
    default:
      return undefined;
  }
}

function endpointFields(e: Endpoint): Uint8Array[] {
  return [ipBytes(e.ip), uintBytes(e.udpPort), uintBytes(e.tcpPort)];
}

function decodeEndpoint(value: unknown): Endpoint {
  if (!Array.isArray(value) || value.length < 3 || !value.slice(0, 3).every((x) => x instanceof Uint8Array)) {
    throw new Error('discv4: bad endpoint');
  }
  const [ip, udp, tcp] = value as Uint8Array[];
  return { ip: ipString(ip), udpPort: bytesToNumber(udp), tcpPort: bytesToNumber(tcp) };
}

function ipBytes(ip: string): Uint8Array {
  if (isIP(ip) === 4) return Uint8Array.from(ip.split('.').map(Number));
  if (isIP(ip) === 6) {
    const [head, tail = ''] = ip.split('::');
    const h = head ? head.split(':') : [];
    const t = tail ? tail.split(':') : [];
    const groups = ip.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
    return Uint8Array.from(groups.flatMap((g) => [parseInt(g, 16) >> 8, parseInt(g, 16) & 0xff]));
  }
  throw new Error(`discv4: not an IP address: ${ip}`);
}

function ipString(bytes: Uint8Array): string {
  if (bytes.length === 4) return [...bytes].join('.');
  if (bytes.length === 16) {
    const groups: string[] = [];
    for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] << 8) | bytes[i + 1]).toString(16));
    return groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
  }
  throw new Error('discv4: bad IP length');
}
