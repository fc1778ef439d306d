// Issue 9, hostile kinds for discv4: forged and broken packets are dropped unanswered, and a neighbours
// flood pointing away from loopback is bounded and never pinged. The loopback guard (vitest.config.ts)
// fails the test if our Discovery sends anything beyond 127.0.0.0/8.
import dgram from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { hex } from '../src/bytes.js';
import { Discv4, decodePacket, encodePacket } from '../src/discv4/index.js';
import { expiration, MAX_PACKET_SIZE, type Discv4Packet, type NeighbourNode } from '../src/discv4/packet.js';
import { keccak256, KeyPair } from '../src/rlpx/crypto.js';
import { until } from '../../../test/support/until.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

interface Received { packet: Discv4Packet; nodeId: string; hash: string }

/** A hostile peer: a raw UDP socket on loopback that records every decodable packet it gets. */
async function attacker() {
  const key = KeyPair.generate();
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  cleanups.push(() => socket.close());
  const received: Received[] = [];
  let raw = 0;
  socket.on('message', (msg) => {
    raw++;
    try {
      const d = decodePacket(new Uint8Array(msg));
      if (d) received.push(d);
    } catch {
      // counted in raw
    }
  });
  const port = socket.address().port;
  const send = (bytes: Uint8Array, to: number) => new Promise<void>((resolve) => socket.send(bytes, to, '127.0.0.1', () => resolve()));
  const ping = (to: number, exp = expiration()) => encodePacket({
    type: 'ping', version: 4, from: { ip: '127.0.0.1', udpPort: port, tcpPort: 0 }, to: { ip: '127.0.0.1', udpPort: to, tcpPort: 0 }, expiration: exp,
  }, key);
  return { key, socket, port, received, rawCount: () => raw, send, ping };
}

async function ourDiscovery() {
  const ours = await Discv4.bind({ privateKey: hex(KeyPair.generate().privateKey), host: '127.0.0.1', timeoutMs: 1000 });
  cleanups.push(() => ours.close());
  return ours;
}

/** Re-hashes a packet whose signature or body was changed, so only the part under test is wrong. */
function rehash(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  out.set(keccak256(out.subarray(32)), 0);
  return out;
}

/**
 * Sends the hostile packets, then one honest ping, and waits for its pong. UDP on loopback from one socket
 * to one socket is delivered in order and our Discovery answers in order, so anything the hostile packets
 * drew would arrive before that pong: the pong being the only thing received proves they were dropped.
 */
async function expectDroppedThenHonestPong(hostile: Uint8Array[]) {
  const ours = await ourDiscovery();
  const a = await attacker();
  for (const bytes of hostile) await a.send(bytes, ours.port);
  const honest = a.ping(ours.port);
  await a.send(honest.bytes, ours.port);
  await until(() => a.rawCount() >= 1, 'the pong to the honest ping', 10_000);
  expect(a.rawCount()).toBe(1);
  expect(a.received).toHaveLength(1);
  expect(a.received[0]).toMatchObject({ nodeId: ours.id, packet: { type: 'pong', pingHash: honest.hash } });
}

describe('discv4 hostile packets (issue 9)', () => {
  it('drops pings with a bad hash or an unrecoverable (forged) signature, unanswered', async () => {
    const a = KeyPair.generate();
    const good = encodePacket({ type: 'ping', version: 4, from: { ip: '127.0.0.1', udpPort: 1, tcpPort: 0 }, to: { ip: '127.0.0.1', udpPort: 2, tcpPort: 0 }, expiration: expiration() }, a).bytes;
    // Bad hash: one bit of the body flipped, hash left as it was.
    const badHash = good.slice();
    badHash[badHash.length - 1] ^= 1;
    expect(() => decodePacket(badHash)).toThrow(/hash/);
    // Forged signature: r and s past the curve order, recovery id 3; the hash is right so only the signature is wrong.
    const forged = good.slice();
    forged.fill(0xff, 32, 96);
    forged[96] = 3;
    const forgedRehashed = rehash(forged);
    expect(() => decodePacket(forgedRehashed)).toThrow();
    // Another key's signature over another body, spliced onto this body: recovers a different node id than
    // the one that signed the body, so it can never pass for the claimed signer; with the hash left as it was
    // it is dropped as a bad hash.
    const other = encodePacket({ type: 'findnode', target: hex(a.id), expiration: expiration() }, KeyPair.generate()).bytes;
    const spliced = good.slice();
    spliced.set(other.subarray(32, 97), 32);
    expect(() => decodePacket(spliced)).toThrow(/hash/);
    const splicedRehashed = rehash(spliced);
    const recovered = (() => { try { return decodePacket(splicedRehashed)?.nodeId; } catch { return undefined; } })();
    expect(recovered).not.toBe(hex(a.id));
    await expectDroppedThenHonestPong([badHash, forgedRehashed, spliced]);
  });

  it('drops an oversize packet (> 1280 bytes), unanswered', async () => {
    const a = KeyPair.generate();
    const ping = encodePacket({ type: 'ping', version: 4, from: { ip: '127.0.0.1', udpPort: 1, tcpPort: 0 }, to: { ip: '127.0.0.1', udpPort: 2, tcpPort: 0 }, expiration: expiration() }, a).bytes;
    // A validly signed ping with trailing data (EIP-8 allows it) up to 1281 and 4000 bytes, re-hashed.
    const big = (size: number) => {
      const out = new Uint8Array(size);
      out.set(ping);
      return rehash(out);
    };
    expect(() => decodePacket(big(MAX_PACKET_SIZE + 1))).toThrow(/too large/);
    expect(decodePacket(big(MAX_PACKET_SIZE))?.packet.type).toBe('ping');
    await expectDroppedThenHonestPong([big(MAX_PACKET_SIZE + 1), big(4000)]);
  });

  it('drops an expired ping, unanswered', async () => {
    const a = KeyPair.generate();
    const expired = [1, Math.floor(Date.now() / 1000) - 60].map((exp) => encodePacket({
      type: 'ping', version: 4, from: { ip: '127.0.0.1', udpPort: 1, tcpPort: 0 }, to: { ip: '127.0.0.1', udpPort: 2, tcpPort: 0 }, expiration: exp,
    }, a).bytes);
    for (const bytes of expired) expect(decodePacket(bytes)?.packet.type).toBe('ping');
    await expectDroppedThenHonestPong(expired);
  });

  it('a neighbours flood of 203.0.113.x nodes is bounded, never pinged, and Discovery still answers', async () => {
    const ours = await ourDiscovery();
    const a = await attacker();
    let n = 0;
    const floodPacket = (): Uint8Array => {
      const nodes: NeighbourNode[] = [];
      for (let i = 0; i < 12; i++, n++) {
        const id = hex(KeyPair.generate().id);
        nodes.push({ ip: `203.0.113.${n % 250 + 1}`, udpPort: 30303, tcpPort: 30303, id });
      }
      const { bytes } = encodePacket({ type: 'neighbours', nodes, expiration: expiration() }, a.key);
      expect(bytes.length).toBeLessThanOrEqual(MAX_PACKET_SIZE);
      return bytes;
    };
    // Unsolicited: 100 packets (1,200 nodes) nobody asked for.
    for (let i = 0; i < 100; i++) await a.send(floodPacket(), ours.port);
    // Solicited: the attacker is our bootnode; it bonds (pong, then its own ping) and answers findnode with
    // a flood of 100 packets more.
    let floods = 0;
    a.socket.on('message', (msg, rinfo) => {
      let d;
      try { d = decodePacket(new Uint8Array(msg)); } catch { return; }
      if (!d) return;
      if (d.packet.type === 'ping') {
        void a.send(encodePacket({ type: 'pong', to: { ip: rinfo.address, udpPort: rinfo.port, tcpPort: 0 }, pingHash: d.hash, expiration: expiration() }, a.key).bytes, rinfo.port);
        void a.send(a.ping(rinfo.port).bytes, rinfo.port);
      } else if (d.packet.type === 'findnode') {
        floods++;
        void (async () => { for (let i = 0; i < 100; i++) await a.send(floodPacket(), rinfo.port); })();
      }
    });
    const found = await ours.lookup([`enode://${hex(a.key.id)}@127.0.0.1:${a.port}`], { maxNodes: 64, maxQueries: 1 });
    expect(floods).toBe(1);
    // Recorded, bounded by maxNodes, and (maxQueries 1) none of them pinged: the guard would have failed.
    expect(found.length).toBeGreaterThan(0);
    expect(found.length).toBeLessThanOrEqual(64);
    for (const node of found) expect(node.host).toMatch(/^203\.0\.113\./);
    // Everything our Discovery sent went to the attacker: pings, pongs and one findnode, never neighbours.
    expect(a.received.every((r) => r.nodeId === ours.id)).toBe(true);
    expect(a.received.filter((r) => r.packet.type === 'findnode')).toHaveLength(1);
    // And it still answers an honest ping.
    const before = a.received.length;
    const honest = a.ping(ours.port);
    await a.send(honest.bytes, ours.port);
    await until(() => a.received.slice(before).some((r) => r.packet.type === 'pong' && (r.packet as { pingHash: string }).pingHash === honest.hash), 'the pong to the honest ping', 10_000);
  });
});
