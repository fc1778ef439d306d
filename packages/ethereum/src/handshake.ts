import { fromCallback } from 'xstate';
import type { PeerInfo } from '@peerscope/engine';
import type { PeerCommandEvent, ProtocolActorEvent, ProtocolActorInput } from '@peerscope/engine/protocol';
import type { EthConfig } from './config.js';
import type { EthCommand } from './ready.js';
import { currentForkId, formatForkId } from './eth/fork-id.js';
import type { Status } from './eth/status.js';
import type { EthMessage } from './messages.js';
import { DisconnectReason, disconnectReasonName } from './p2p/disconnect.js';
import { P2P_VERSION, sharedCapabilities, type Hello } from './p2p/hello.js';
import { nodeKey } from './rlpx/crypto.js';
import { hex } from './bytes.js';
import { enodeAddress, formatEnode } from './enode.js';

type Input = ProtocolActorInput<EthMessage, EthConfig>;

/** Ethereum's own failure reasons, beyond the engine's and the common ones. */
export type EthFailure = 'wrong-network';
export const ETH_FAILURES: Readonly<Record<EthFailure, string>> = {
  'wrong-network': 'the peer is on another chain (its Status names another network id or genesis)',
};

/**
 * The app event (PeerEvent type 'app') a handshake that fails after the peer's Hello reports first: what
 * the peer said of itself (Hello, and Status when it came), for a crawler to record beside the reason.
 */
export const HANDSHAKE_SEEN = 'eth.handshake-seen';

export function ourHello(config: EthConfig): Hello {
  return {
    p2pVersion: P2P_VERSION,
    clientId: config.clientId,
    capabilities: config.ethVersions.map((version) => ({ name: 'eth', version })),
    listenPort: config.listenPort,
    nodeId: hex(nodeKey(config.privateKey).id),
  };
}

export function ourStatus(config: EthConfig, version: number): Status {
  return {
    version,
    networkId: config.chain.networkId,
    td: config.chain.td,
    // We hold no chain: claim genesis as our head, which also tells peers not to sync from us.
    bestHash: config.chain.genesisHash,
    genesisHash: config.chain.genesisHash,
    forkId: currentForkId(config.chain),
  };
}

/** The remote node id we must encrypt our auth to, by the address we dial. */
export function remoteIdFor(config: EthConfig, host: string, port: number): string | undefined {
  return config.nodeIds[enodeAddress({ host, port })];
}

/**
 * auth → ack → Hello ↔ Hello → Status ↔ Status. After the Hellos the order of the rest is not
 * assumed: some clients ping (or announce transactions) before their Status.
 */
export const handshake = fromCallback<PeerCommandEvent<EthCommand>, Input>(({ input, sendBack }) => {
  const { link, config } = input;
  const send = (m: EthMessage) => link.send(m);
  let done = false;
  let remoteId: string | undefined;
  let theirHello: Hello | undefined;
  let theirStatus: Status | undefined;
  const fail = (reason: ProtocolActorEvent<EthFailure> & { type: 'peer.fail' }) => {
    done = true;
    if (theirHello) link.report({ type: 'app', name: HANDSHAKE_SEEN, data: seenInfo(theirHello, theirStatus, link.host, link.port) });
    sendBack(reason);
  };
  let ethVersion: number | undefined;

  const hangUp = (reason: number, detail: string, failure: EthFailure | 'protocol-violation' = 'protocol-violation') => {
    try {
      send({ type: 'disconnect', reason });
    } catch {
      // the link may already be gone
    }
    fail({ type: 'peer.fail', reason: failure, detail });
  };

  const sendHello = () => send({ type: 'hello', hello: ourHello(config) });

  link.onMessage((m) => {
    if (done) return;
    switch (m.type) {
      case 'auth':
        remoteId = m.remoteId;
        send({ type: 'ack' });
        sendHello();
        return;
      case 'ack':
        sendHello();
        return;
      case 'hello': {
        if (remoteId && m.hello.nodeId !== remoteId) return hangUp(DisconnectReason.protocolBreach, 'hello: unexpected node id');
        theirHello = m.hello;
        const shared = sharedCapabilities(ourHello(config).capabilities, m.hello.capabilities).find((c) => c.name === 'eth');
        if (!shared) return hangUp(DisconnectReason.uselessPeer, `no shared eth version (peer offers ${formatCaps(m.hello)})`);
        ethVersion = shared.version;
        send({ type: 'status', status: ourStatus(config, ethVersion) });
        return;
      }
      case 'ping':
        send({ type: 'pong' });
        return;
      case 'disconnect':
        return fail({ type: 'peer.fail', reason: 'closed-by-peer', detail: disconnectReasonName(m.reason) });
      case 'status': {
        if (!theirHello || ethVersion === undefined) return hangUp(DisconnectReason.protocolBreach, 'status before hello');
        const s = m.status;
        theirStatus = s;
        if (config.requireSameChain && (s.genesisHash !== config.chain.genesisHash || s.networkId !== config.chain.networkId)) {
          return hangUp(DisconnectReason.uselessPeer, `other chain: network ${s.networkId}, genesis ${s.genesisHash}`, 'wrong-network');
        }
        done = true;
        sendBack({ type: 'handshake.done', info: peerInfo(theirHello, s, link.host, link.port) });
        return;
      }
      default:
        // Anything else before Status (tx announcements, other capabilities) waits for nobody.
        return;
    }
  });

  if (link.direction === 'outbound') {
    // The peer keeper hands us the node id the address came with (id@host:port); a config may name it too.
    remoteId = link.key ?? remoteIdFor(config, link.host, link.port);
    if (!remoteId) {
      fail({ type: 'peer.fail', reason: 'protocol-violation', detail: `no node id known for ${link.address} (dial an enode URL)` });
    } else if (!/^[0-9a-f]{128}$/i.test(remoteId)) {
      fail({ type: 'peer.fail', reason: 'protocol-violation', detail: `not a node id: ${remoteId.slice(0, 16)}…` });
    } else {
      send({ type: 'auth', remoteId });
    }
  }
  return () => link.onMessage(null);
});

function formatCaps(hello: Hello): string {
  return hello.capabilities.map((c) => `${c.name}/${c.version}`).join(',') || 'nothing';
}

export function peerInfo(hello: Hello, status: Status, host: string, port: number): PeerInfo {
  return seenInfo(hello, status, host, port);
}

/** What a peer said of itself: its Hello, and its Status when one came. */
function seenInfo(hello: Hello, status: Status | undefined, host: string, port: number): PeerInfo {
  const fromHello = {
    enode: formatEnode({ id: hello.nodeId, host, port: hello.listenPort || port, udpPort: hello.listenPort || port }),
    capabilities: hello.capabilities.map((c) => `${c.name}/${c.version}`),
    p2pVersion: hello.p2pVersion,
  };
  if (!status) return { userAgent: hello.clientId, details: fromHello };
  return {
    version: status.version,
    userAgent: hello.clientId,
    details: {
      ...fromHello,
      networkId: status.networkId,
      forkId: formatForkId(status.forkId),
      bestHash: status.bestHash,
      td: status.td,
      genesis: status.genesisHash,
    },
  };
}
