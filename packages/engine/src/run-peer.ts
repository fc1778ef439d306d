import type net from 'node:net';
import { createActor, fromCallback, type AnyActorRef } from 'xstate';
import type { PeerEnd, PeerEvent, PeerEventBody } from './events.js';
import type { LoadedProtocol } from './protocol.js';
import { formatAddress } from './address.js';
import { DEFAULT_TIMEOUTS, peerMachine, type PeerTimeouts } from './peer-machine.js';

export interface RunPeerOptions {
  /** Unique connection id (the executor assigns one). */
  id: string;
  host: string;
  port: number;
  /** The peer's identity, when its address carried one (handed to the protocol as `link.key`). */
  key?: string;
  protocol: LoadedProtocol;
  config: unknown;
  /** An already-connected socket (inbound connection): the machine skips dialling. */
  socket?: net.Socket;
  timeouts?: Partial<PeerTimeouts>;
  onEvent(event: PeerEvent): void;
}

export interface PeerRun {
  readonly id: string;
  /** Forwarded to the protocol's actor as `{ type: 'peer.command', command }` (ignored before the handshake starts). */
  command(command: unknown): void;
  /** Close the connection; the peer ends in 'closed' with reason 'stopped'. */
  stop(): void;
  readonly done: Promise<PeerEnd>;
}

/**
 * The machine with a protocol's actors plugged in, made once per protocol: `provide` builds a whole
 * new machine (every state node), too costly to repeat for each of thousands of connections.
 */
const machines = new WeakMap<LoadedProtocol, ReturnType<typeof peerMachine.provide>>();

function machineFor(protocol: LoadedProtocol) {
  let machine = machines.get(protocol);
  if (!machine) {
    machine = peerMachine.provide({ actors: { handshake: protocol.handshake, ready: protocol.ready } });
    machines.set(protocol, machine);
  }
  return machine;
}

/**
 * Parents of this thread's peer machines, each with the number of live peers under it. A root actor
 * gets an actor system of its own (scheduler, registry, about 3 KB); peers that share a parent share its
 * system. The parent only hears of its children's ends, which runPeer reads from each machine itself.
 *
 * Why a few dozen peers per parent and not all of them: xstate's scheduler cancels a stopping actor's
 * timers by walking every timer of its system (cancelAll), so with one system per thread each end of a
 * connection walked the connect and handshake timeouts of all the others in flight: a crawl dialling
 * 500 at a time spent more there than in its handshakes. 32 peers per system keep that walk short at
 * about 0.1 KB a peer.
 */
const PEERS_PER_PARENT = 32;
interface PeerParent {
  actor: AnyActorRef;
  live: number;
}
/** Parents with room (a stack: the last one is used first). */
const withRoom: PeerParent[] = [];

function takeParent(): PeerParent {
  let parent = withRoom.at(-1);
  if (!parent) {
    parent = { actor: createActor(fromCallback(() => () => {})), live: 0 };
    parent.actor.start();
    withRoom.push(parent);
  }
  if (++parent.live === PEERS_PER_PARENT) withRoom.pop();
  return parent;
}

function releaseParent(parent: PeerParent): void {
  if (parent.live-- === PEERS_PER_PARENT) withRoom.push(parent);
}

let defaultTimeouts: PeerTimeouts | undefined;
const sharedTimeouts = new Map<string, PeerTimeouts>();

/** Peers of one session share one timeouts object instead of each holding a copy. */
function timeoutsFor(overrides?: Partial<PeerTimeouts>): PeerTimeouts {
  if (!overrides) return (defaultTimeouts ??= { ...DEFAULT_TIMEOUTS });
  const key = `${overrides.connectMs}/${overrides.handshakeMs}/${overrides.stallMs}`;
  let t = sharedTimeouts.get(key);
  if (!t) sharedTimeouts.set(key, (t = { ...DEFAULT_TIMEOUTS, ...overrides }));
  return t;
}

/** Runs one peer connection as a peer machine with the protocol's actors plugged in. */
export function runPeer(options: RunPeerOptions): PeerRun {
  const { id, host, port, key, protocol, config, socket, onEvent } = options;
  const address = formatAddress(host, port);
  const report = (body: PeerEventBody) => onEvent({ ...body, peer: id, address, at: Date.now() } as PeerEvent);
  const parent = takeParent();
  const actor = createActor(machineFor(protocol), {
    parent: parent.actor,
    input: {
      id, host, port, key, config, socket,
      timeouts: timeoutsFor(options.timeouts),
      createCodec: (direction) => protocol.createCodec(config, direction),
      report,
    },
  });
  const done = new Promise<PeerEnd>((resolve) => {
    actor.subscribe({
      complete: () => {
        releaseParent(parent);
        resolve(actor.getSnapshot().output as PeerEnd);
      },
      error: (err) => {
        releaseParent(parent);
        // The machine itself threw (an action of ours): report it as what it is, our bug.
        const end: PeerEnd = { state: 'failed', reason: 'internal', detail: String((err as Error)?.message ?? err) };
        report({ type: 'state', ...end });
        resolve(end);
      },
    });
  });
  actor.start();
  return {
    id,
    // Straight to the protocol's actor (there only while handshaking or ready): a command changes no
    // state of the machine, and a machine step per message sent would cost a new snapshot each.
    command: (command) => (actor.getSnapshot().children as { protocol?: AnyActorRef }).protocol?.send({ type: 'peer.command', command }),
    stop: () => actor.send({ type: 'stop' }),
    done,
  };
}
