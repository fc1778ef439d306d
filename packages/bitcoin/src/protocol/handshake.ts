import { randomBytes } from 'node:crypto';
import { fromCallback } from 'xstate';
import { formatAddress, type PeerInfo } from '@peerscope/engine';
import type { PeerCommandEvent, ProtocolActorEvent, ProtocolActorInput } from '@peerscope/engine/protocol';
import type { BitcoinMessage } from '../wire/message.js';
import { serviceNames } from '../wire/services.js';
import type { VersionMessage } from '../wire/messages/version.js';
import type { BitcoinConfig } from './config.js';

/** BIP339: wtxidrelay is only negotiated with peers of this version or later. */
const WTXID_RELAY_VERSION = 70016;

type Link = ProtocolActorInput<BitcoinMessage, BitcoinConfig>['link'];

export function ourVersion(config: BitcoinConfig, link: Link, nonce: bigint): VersionMessage {
  return {
    command: 'version',
    version: config.protocolVersion,
    services: BigInt(config.services),
    timestamp: BigInt(Math.floor(Date.now() / 1000)),
    receiver: { services: 0n, host: link.host, port: link.port },
    // Core also sends an all-zero sender address: the receiver learns our address from the socket.
    sender: { services: 0n, host: '::', port: 0 },
    nonce,
    userAgent: config.userAgent,
    startHeight: 0,
    relay: config.relay,
  };
}

export function peerInfo(v: VersionMessage, flags: { wtxidrelay: boolean; sendaddrv2: boolean }): PeerInfo {
  return {
    version: v.version,
    userAgent: v.userAgent,
    services: serviceNames(v.services),
    startHeight: v.startHeight,
    details: {
      servicesHex: '0x' + v.services.toString(16),
      relay: v.relay,
      wtxidrelay: flags.wtxidrelay,
      addrv2: flags.sendaddrv2,
      theySeeUs: formatAddress(v.receiver.host, v.receiver.port),
    },
  };
}

/**
 * The version handshake as Bitcoin Core does it (net_processing.cpp): we send version first (outbound);
 * on their version we send wtxidrelay (BIP339, only to ≥70016 peers) and sendaddrv2 (BIP155), both of
 * which must come before verack, then verack. The peer is ready once we have their version and verack.
 */
export const handshake = fromCallback<PeerCommandEvent<never>, ProtocolActorInput<BitcoinMessage, BitcoinConfig>>(({ input, sendBack }) => {
  const { link, config } = input;
  const nonce = randomBytes(8).readBigUInt64LE();
  let theirs: VersionMessage | undefined;
  let verack = false;
  const flags = { wtxidrelay: false, sendaddrv2: false };
  const done = (event: ProtocolActorEvent) => sendBack(event);

  const answerVersion = (v: VersionMessage) => {
    if (v.nonce === nonce && nonce !== 0n) return done({ type: 'peer.fail', reason: 'self-connection', detail: 'version nonce is our own' });
    theirs = v;
    if (link.direction === 'inbound') link.send(ourVersion(config, link, nonce));
    if (v.version >= WTXID_RELAY_VERSION && config.protocolVersion >= WTXID_RELAY_VERSION) link.send({ command: 'wtxidrelay' });
    link.send({ command: 'sendaddrv2' });
    link.send({ command: 'verack' });
  };

  link.onMessage((m) => {
    if ('raw' in m) return; // commands we do not decode: already counted by the engine
    switch (m.command) {
      case 'version':
        // Core ignores a duplicate version (and scores it); so do we.
        if (!theirs) answerVersion(m);
        break;
      case 'wtxidrelay':
        flags.wtxidrelay = true;
        break;
      case 'sendaddrv2':
        flags.sendaddrv2 = true;
        break;
      case 'verack':
        verack = true;
        break;
      default:
        // Anything before the handshake completes is ignored, as Core does (bcoin sends nothing early).
        break;
    }
    if (theirs && verack) done({ type: 'handshake.done', info: peerInfo(theirs, flags) });
  });
  if (link.direction === 'outbound') link.send(ourVersion(config, link, nonce));
  return () => link.onMessage(null);
});
