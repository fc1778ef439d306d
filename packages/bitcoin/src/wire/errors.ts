import { ProtocolError } from '@peerscope/engine/protocol';

/** The payload does not parse: short, trailing bytes, non-canonical, over an entry limit. */
export function malformed(message: string): ProtocolError {
  return new ProtocolError('malformed', message);
}
