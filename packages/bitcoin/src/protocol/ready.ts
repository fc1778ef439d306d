import { randomBytes } from 'node:crypto';
import { fromCallback } from 'xstate';
import { formatAddress } from '@peerscope/engine';
import type { PeerCommandEvent, ProtocolActorEvent, ProtocolActorInput } from '@peerscope/engine/protocol';
import { hashToHex } from '../wire/hash.js';
import { InvType, invTypeName } from '../wire/inventory.js';
import type { BitcoinMessage } from '../wire/message.js';
import type { InvItem } from '../wire/messages/inventory-list.js';
import { blockHash } from '../wire/block-header.js';
import { BestHeight } from './best-height.js';
import type { BitcoinConfig } from './config.js';

/** Per session (its config object, one per thread) and thread: the addresses already reported. */
const reported = new WeakMap<BitcoinConfig, Set<string>>();

/** The addresses of one addr/addrv2 message; with `addressMemory`, only those not reported before. */
function addressesEvent(config: BitcoinConfig, entries: readonly { host: string; port: number }[]): { type: 'addresses'; addresses: string[]; count?: number } {
  const limit = config.addressMemory ?? 0;
  if (limit <= 0) return { type: 'addresses', addresses: entries.map((a) => formatAddress(a.host, a.port)) };
  let seen = reported.get(config);
  if (!seen) reported.set(config, (seen = new Set()));
  const fresh: string[] = [];
  for (const a of entries) {
    const text = formatAddress(a.host, a.port);
    if (seen.has(text)) continue;
    // Full: start again. The receiver dedupes too; this only keeps repeats off the thread boundary.
    if (seen.size >= limit) seen.clear();
    seen.add(text);
    fresh.push(text);
  }
  return { type: 'addresses', addresses: fresh, count: entries.length };
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
    if ('raw' in m) return; // commands we do not decode: already counted by the engine
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
        if (m.addresses.length > 0) link.report(addressesEvent(config, m.addresses));
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
