import { randomBytes } from 'node:crypto';
import { fromCallback } from 'xstate';
import { formatAddress } from '@peerscope/engine';
import { ProtocolError, type PeerCommandEvent, type ProtocolActorEvent, type ProtocolActorInput } from '@peerscope/engine/protocol';
import { hashToHex } from '../wire/hash.js';
import { InvType, invTypeName } from '../wire/inventory.js';
import type { BitcoinMessage } from '../wire/message.js';
import type { InvItem } from '../wire/messages/inventory-list.js';
import { gossipHost, scanGossip } from '../wire/messages/gossip-scan.js';
import { blockHash } from '../wire/block-header.js';
import { AddressMemory } from './address-memory.js';
import { BestHeight } from './best-height.js';
import type { BitcoinConfig } from './config.js';

/** Per session (its config object, one per thread) and thread: the addresses already reported. */
const reported = new WeakMap<BitcoinConfig, AddressMemory>();

function memoryOf(config: BitcoinConfig): AddressMemory {
  let memory = reported.get(config);
  if (!memory) reported.set(config, (memory = new AddressMemory(config.addressMemory ?? 0)));
  return memory;
}

/** Bytes as a string key: native latin1 for the codec's Buffers (a third of String.fromCharCode's cost). */
function bytesKey(buf: Uint8Array, start: number, end: number): string {
  return Buffer.isBuffer(buf) ? buf.toString('latin1', start, end) : String.fromCharCode(...buf.subarray(start, end));
}

/**
 * The addresses of one raw addr/addrv2 payload (a session with `addressMemory` keeps them raw), only
 * those this session has not reported on this thread; `count` is the message's entry count.
 */
function freshAddressesEvent(config: BitcoinConfig, command: 'addr' | 'addrv2', payload: Uint8Array): { type: 'addresses'; addresses: string[]; count: number } {
  const seen = memoryOf(config);
  const fresh: string[] = [];
  const count = scanGossip(command, payload, (network, buf, at, size, port) => {
    const isNew = network === 'ipv4'
      ? seen.addIPv4(port, buf[at], buf[at + 1], buf[at + 2], buf[at + 3])
      // Keyed by its bytes: a Tor v3 address's text needs a SHA3 checksum, too dear for a repeat.
      : seen.addOther(network + port + bytesKey(buf, at, at + size));
    if (isNew) fresh.push(formatAddress(gossipHost(network, buf, at, size), port));
  });
  return { type: 'addresses', addresses: fresh, count };
}

/** Headers in one message reported as block announcements; more is a sync answer, not news. */
const MAX_ANNOUNCED_HEADERS = 8;

/**
 * A ready Bitcoin peer: answer what must be answered (ping, getheaders), ask once for addresses,
 * prefer headers announcements (BIP130), ping on an interval for RTT, and report what the peer tells us.
 */
export const ready = fromCallback<PeerCommandEvent<never>, ProtocolActorInput<BitcoinMessage, BitcoinConfig>>(({ input, sendBack }) => {
  const { link, config } = input;
  const heights = new BestHeight(input.handshake?.startHeight ?? 0);
  let outstanding: { nonce: bigint; sentAt: number } | undefined;

  const ping = () => {
    if (outstanding) {
      if (performance.now() - outstanding.sentAt > config.pingTimeoutMs) {
        sendBack({ type: 'peer.fail', reason: 'timeout-stall', detail: `no pong in ${config.pingTimeoutMs} ms` } satisfies ProtocolActorEvent);
      }
      return;
    }
    outstanding = { nonce: randomBytes(8).readBigUInt64LE(), sentAt: performance.now() };
    link.send({ command: 'ping', nonce: outstanding.nonce });
  };

  const rose = (height: number | undefined) => {
    if (height !== undefined) link.report({ type: 'height', height });
  };
  // Every block this peer announces, with its height: when each peer first told us of a block is what
  // a study of block propagation needs (the history store keeps the first sighting per peer).
  const announced = (hashHex: string) => {
    const height = heights.heightOf(hashHex);
    if (height !== undefined) link.report({ type: 'app', name: 'block', data: { hash: hashHex, height } });
  };

  const onInv = (items: InvItem[]) => {
    const counts: Record<string, number> = {};
    for (const item of items) {
      const name = invTypeName(item.type);
      counts[name] = (counts[name] ?? 0) + 1;
      if (item.type === InvType.BLOCK || item.type === InvType.WITNESS_BLOCK) {
        const hex = hashToHex(item.hash);
        rose(heights.announced(hex));
        announced(hex);
      }
    }
    if (items.length > 0) link.report({ type: 'inv', counts });
  };

  link.onMessage((m) => {
    if ('raw' in m) {
      // addr/addrv2 come raw when the session reports each address once (a crawl); the rest we do not decode.
      if (m.command === 'addr' || m.command === 'addrv2') {
        try {
          const event = freshAddressesEvent(config, m.command, m.raw);
          if (event.count > 0) link.report(event);
        } catch (err) {
          if (!(err instanceof ProtocolError)) throw err;
          sendBack({ type: 'peer.fail', reason: err.reason, detail: err.message } satisfies ProtocolActorEvent);
        }
      }
      return;
    }
    switch (m.command) {
      case 'ping':
        link.send({ command: 'pong', nonce: m.nonce });
        break;
      case 'pong':
        if (outstanding && m.nonce === outstanding.nonce) {
          link.report({ type: 'rtt', ms: Math.round((performance.now() - outstanding.sentAt) * 1000) / 1000 });
          outstanding = undefined;
        }
        break;
      case 'getheaders':
        // We keep no chain: an empty headers message is the honest answer and keeps peers from stalling.
        link.send({ command: 'headers', headers: [] });
        break;
      case 'inv':
        onInv(m.items);
        break;
      case 'headers':
        rose(heights.headers(m.headers));
        // A headers answer during a sync can hold 2,000: only announcements (a few) are reported.
        if (m.headers.length <= MAX_ANNOUNCED_HEADERS) for (const h of m.headers) announced(hashToHex(blockHash(h)));
        break;
      case 'addr':
      case 'addrv2':
        if (m.addresses.length > 0) link.report({ type: 'addresses', addresses: m.addresses.map((a) => formatAddress(a.host, a.port)) });
        break;
      case 'reject':
        link.report({ type: 'app', name: 'reject', data: { message: m.message, code: m.code, reason: m.reason } });
        break;
      default:
        break;
    }
  });

  link.send({ command: 'sendheaders' });
  // Once per connection (Core answers getaddr only once per peer anyway).
  link.send({ command: 'getaddr' });
  ping();
  const timer = setInterval(ping, config.pingIntervalMs);
  return () => {
    clearInterval(timer);
    link.onMessage(null);
  };
});
