import { RLP } from '@ethereumjs/rlp';
import { bytesToNumber, hex, uintBytes } from '../bytes.js';

/** devp2p base protocol version we speak: 5 adds Snappy compression after Hello. */
export const P2P_VERSION = 5;

export interface Capability {
  name: string;
  version: number;
}

export interface Hello {
  p2pVersion: number;
  clientId: string;
  capabilities: Capability[];
  listenPort: number;
  /** 64-byte node id, hex without 0x. */
  nodeId: string;
}

export function encodeHello(hello: Hello): Uint8Array {
  return RLP.encode([
    uintBytes(hello.p2pVersion),
    new TextEncoder().encode(hello.clientId),
    hello.capabilities.map((c) => [new TextEncoder().encode(c.name), uintBytes(c.version)]),
    uintBytes(hello.listenPort),
    Buffer.from(hello.nodeId, 'hex'),
  ]);
}

/** EIP-8: ignore the version's value and any list elements after the node id. */
export function decodeHello(payload: Uint8Array): Hello {
  const fields = RLP.decode(payload, true).data;
  if (!Array.isArray(fields) || fields.length < 5) throw new Error('hello: expected a list of 5+');
  const [version, clientId, caps, port, id] = fields;
  if (!(version instanceof Uint8Array) || !(clientId instanceof Uint8Array) || !Array.isArray(caps)
    || !(port instanceof Uint8Array) || !(id instanceof Uint8Array) || id.length !== 64) {
    throw new Error('hello: bad field');
  }
  const capabilities = caps.map((c) => {
    if (!Array.isArray(c) || !(c[0] instanceof Uint8Array) || !(c[1] instanceof Uint8Array)) throw new Error('hello: bad capability');
    return { name: new TextDecoder().decode(c[0]), version: bytesToNumber(c[1]) };
  });
  return {
    p2pVersion: bytesToNumber(version),
    clientId: new TextDecoder().decode(clientId),
    capabilities,
    listenPort: port.length > 2 ? 0 : bytesToNumber(port),
    nodeId: hex(id),
  };
}

/** The shared capabilities, highest version of each name, ordered by name: their message ids follow 0x10 in that order. */
export function sharedCapabilities(ours: Capability[], theirs: Capability[]): Capability[] {
  const best = new Map<string, Capability>();
  for (const c of theirs) {
    if (!ours.some((o) => o.name === c.name && o.version === c.version)) continue;
    const have = best.get(c.name);
    if (!have || have.version < c.version) best.set(c.name, c);
  }
  return [...best.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
