import type net from 'node:net';
import { createActor } from 'xstate';
import type { FailureReason, PeerEvent, PeerEventBody, PeerState } from './events.js';
import type { Protocol } from './protocol.js';
import { formatAddress } from './address.js';
import { DEFAULT_TIMEOUTS, peerMachine, type PeerTimeouts } from './peer-machine.js';

export interface RunPeerOptions<Config = unknown> {
  /** Unique connection id (the executor assigns one). */
  id: string;
  host: string;
  port: number;
  /** The peer's identity, when its address carried one (handed to the protocol as `link.key`). */
  key?: string;
  protocol: Protocol<any, Config>;
  config: Config;
  /** An already-connected socket (inbound connection): the machine skips dialling. */
  socket?: net.Socket;
  timeouts?: Partial<PeerTimeouts>;
  onEvent(event: PeerEvent): void;
}

export interface PeerEnd {
  state: Extract<PeerState, 'failed' | 'closed'>;
  reason: FailureReason;
  detail?: string;
}

export interface PeerRun {
  readonly id: string;
  /** Forwarded to the protocol's session actor as `{ type: 'peer.command', command }` (ignored unless ready). */
  command(command: unknown): void;
  /** Close the connection; the peer ends in 'closed' with reason 'stopped'. */
  stop(): void;
  readonly done: Promise<PeerEnd>;
}

/** Runs one peer connection as a peer machine with the protocol's actors plugged in. */
export function runPeer<Config>(options: RunPeerOptions<Config>): PeerRun {
  const { id, host, port, key, protocol, config, socket, onEvent } = options;
  const address = formatAddress(host, port);
  let end: PeerEnd | undefined;
  const report = (body: PeerEventBody) => {
    if (body.type === 'state' && (body.state === 'failed' || body.state === 'closed')) {
      end = { state: body.state, reason: body.reason ?? 'stopped', detail: body.detail };
    }
    onEvent({ ...body, peer: id, address, at: Date.now() } as PeerEvent);
  };
  const machine = peerMachine.provide({ actors: { handshake: protocol.handshake, session: protocol.session } });
  const actor = createActor(machine, {
    input: {
      id, host, port, key, config, socket,
      timeouts: { ...DEFAULT_TIMEOUTS, ...options.timeouts },
      createCodec: (direction) => protocol.createCodec(config, direction),
      report,
    },
  });
  const done = new Promise<PeerEnd>((resolve) => {
    actor.subscribe({
      complete: () => resolve(end ?? { state: 'closed', reason: 'stopped' }),
      error: (err) => {
        // A protocol actor threw: the connection is unusable; report it as the peer's failure.
        if (!end) report({ type: 'state', state: 'failed', reason: 'malformed', detail: String((err as Error)?.message ?? err) });
        resolve(end!);
      },
    });
  });
  actor.start();
  return {
    id,
    command: (command) => actor.send({ type: 'peer.command', command }),
    stop: () => actor.send({ type: 'stop' }),
    done,
  };
}
