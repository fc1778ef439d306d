// Compiled by protocol-types.test.ts with tsc, never run: what a protocol author's compiler says.
// Each @ts-expect-error must be an error, and the rest must compile, or the test fails.
import { fromCallback } from 'xstate';
import { defineProtocol, ProtocolError, type PeerCommandEvent, type ProtocolActorEvent, type ProtocolActorInput, type WireCodec } from '../../src/protocol-api.js';

type Msg = { kind: 'hello'; name: string } | { kind: 'data'; bytes: Uint8Array };
interface Config {
  name: string;
}
type Command = { type: 'send'; bytes: Uint8Array };
type Reason = 'bad-greeting';

declare const codec: WireCodec<Msg>;
type Input = ProtocolActorInput<Msg, Config>;

const handshake = fromCallback<PeerCommandEvent<Command>, Input>(({ input, sendBack }) => {
  input.link.send({ kind: 'hello', name: input.config.name });
  // @ts-expect-error a message the protocol does not have
  input.link.send({ kind: 'goodbye' });
  input.link.onMessage((m) => {
    if (m.kind !== 'hello') return sendBack({ type: 'peer.fail', reason: 'bad-greeting' } satisfies ProtocolActorEvent<Reason>);
    sendBack({ type: 'handshake.done', info: { userAgent: m.name } } satisfies ProtocolActorEvent<Reason>);
  });
  // @ts-expect-error a reason nobody declared
  sendBack({ type: 'peer.fail', reason: 'bad-greetin' } satisfies ProtocolActorEvent<Reason>);
  // The engine's own and the common reasons need no declaration.
  sendBack({ type: 'peer.fail', reason: 'timeout-stall' } satisfies ProtocolActorEvent<Reason>);
  sendBack({ type: 'peer.fail', reason: 'malformed' } satisfies ProtocolActorEvent<Reason>);
});

const ready = fromCallback<PeerCommandEvent<Command>, Input>(({ input, receive }) => {
  receive((event) => input.link.send({ kind: 'data', bytes: event.command.bytes }));
  // @ts-expect-error the config has no such field
  void input.config.nmae;
});

export const good = defineProtocol({ name: 'toy', failures: { 'bad-greeting': 'the first line was not HELLO' }, createCodec: () => codec, handshake, ready });

// @ts-expect-error a declared reason needs its meaning
export const missingMeaning = defineProtocol<Msg, Config, Command, Reason>({ name: 'toy', failures: {}, createCodec: () => codec, handshake, ready });

const readyOfAnother = fromCallback<PeerCommandEvent<{ type: 'other' }>, Input>(() => {});
// @ts-expect-error a ready actor that takes other commands than the handshake's
export const mixed = defineProtocol({ name: 'toy', failures: {}, createCodec: () => codec, handshake, ready: readyOfAnother });

export const thrown = new ProtocolError<Reason>('bad-greeting', 'typed');
// @ts-expect-error ProtocolError takes declared or common reasons only
export const wrong = new ProtocolError<Reason>('bad-greetin', 'typo');
