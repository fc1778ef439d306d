import { fromCallback } from 'xstate';
import { RLP } from '@ethereumjs/rlp';
import type { PeerCommandEvent, ProtocolActorInput } from '@peerscope/engine/protocol';
import type { EthConfig } from './config.js';
import { announcedHeight, EMPTY_ANSWERS, emptyAnswer, EthCode, requestId } from './eth/messages.js';
import type { EthMessage } from './messages.js';
import { DisconnectReason, disconnectReasonName } from './p2p/disconnect.js';

type Input = ProtocolActorInput<EthMessage, EthConfig>;

/** Commands the embedding program can send a ready peer (engine: `PeerRun.command`). */
export type EthCommand = { type: 'ping' } | { type: 'disconnect'; reason?: number };

const ETH68_TX_ANNOUNCE = 0x08;
const TRANSACTIONS = 0x02;

/**
 * The ready state: answers Ping, pings on an interval and reports the RTT, answers requests with
 * empty responses (we hold no chain), reports announced heights and transaction counts, and ends the
 * peer on Disconnect with the peer's reason.
 */
export const ready = fromCallback<PeerCommandEvent<EthCommand>, Input>(({ input, sendBack, receive }) => {
  const { link, config } = input;
  let pingSentAt: number | undefined;
  let ended = false;

  const ping = () => {
    if (ended || pingSentAt !== undefined) return; // one outstanding ping at a time, so the RTT is unambiguous
    pingSentAt = performance.now();
    link.send({ type: 'ping' });
  };

  link.onMessage((m) => {
    if (ended) return;
    switch (m.type) {
      case 'ping':
        link.send({ type: 'pong' });
        return;
      case 'pong':
        if (pingSentAt !== undefined) {
          link.report({ type: 'rtt', ms: Math.round((performance.now() - pingSentAt) * 100) / 100 });
          pingSentAt = undefined;
        }
        return;
      case 'disconnect':
        ended = true;
        sendBack({ type: 'peer.fail', reason: 'closed-by-peer', detail: disconnectReasonName(m.reason) });
        return;
      case 'eth':
        onEth(m.code, m.payload);
        return;
      default:
        return;
    }
  });

  function onEth(code: number, payload: Uint8Array): void {
    const answer = EMPTY_ANSWERS[code];
    if (answer !== undefined) {
      const id = requestId(payload);
      if (id) link.send({ type: 'eth', code: answer, payload: emptyAnswer(id) });
      return;
    }
    if (code === EthCode.newBlockHashes || code === EthCode.newBlock) {
      const height = announcedHeight(code, payload);
      if (height !== undefined) link.report({ type: 'height', height });
      link.report({ type: 'inv', counts: { block: 1 } });
      return;
    }
    if (code === ETH68_TX_ANNOUNCE || code === TRANSACTIONS) {
      const n = countTransactions(code, payload);
      if (n > 0) link.report({ type: 'inv', counts: { tx: n } });
    }
  }

  receive((event) => {
    if (event.type !== 'peer.command') return;
    const command = (event as { command?: EthCommand }).command;
    if (command?.type === 'ping') ping();
    if (command?.type === 'disconnect') {
      link.send({ type: 'disconnect', reason: command.reason ?? DisconnectReason.requested });
    }
  });

  ping();
  const timer = setInterval(ping, config.pingIntervalMs);
  return () => {
    ended = true;
    clearInterval(timer);
    link.onMessage(null);
  };
});

function countTransactions(code: number, payload: Uint8Array): number {
  try {
    const decoded = RLP.decode(payload, true).data;
    if (!Array.isArray(decoded)) return 0;
    // eth/68 announcements are [types, sizes, hashes]; Transactions is a plain list.
    if (code === ETH68_TX_ANNOUNCE) return Array.isArray(decoded[2]) ? decoded[2].length : decoded.length;
    return decoded.length;
  } catch {
    return 0;
  }
}
