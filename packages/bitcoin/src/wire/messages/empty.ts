import type { MessageCodec } from '../message-codec.js';

/**
 * Messages with no payload. A non-empty payload is 'malformed': Core ignores it, but nothing
 * defines extra bytes here, and a peer sending them does not speak the protocol we think it does.
 */
export function emptyMessage<C extends string>(command: C): MessageCodec<{ command: C }> {
  const message = Object.freeze({ command });
  return {
    command,
    decode: () => message,
    encode: () => {},
  };
}
