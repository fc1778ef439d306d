import type net from 'node:net';
import type { BitcoinCodec, BitcoinMessage } from '@peerscope/bitcoin';

/** The messages in a client's chunk; on a bad frame none, and the connection is dropped, as Core disconnects. */
export function clientMessages(codec: BitcoinCodec, socket: net.Socket, chunk: Uint8Array): BitcoinMessage[] {
  try {
    return codec.decode(chunk).map((d) => d.message);
  } catch {
    socket.destroy();
    return [];
  }
}

/** Where one client connection stands in the handshake and what it asked for: the fields Core keeps per peer that a sim node needs. */
export class ClientState {
  theirVersion = false;
  verack = false;
  sendheaders = false;
  /** BIP155: the client sent sendaddrv2 before verack. */
  addrv2 = false;
  answeredGetaddr = false;
  misbehaving = false;
  /** Highest height this client has been told about (version start height, then announcements). */
  announced: number;

  constructor(readonly socket: net.Socket, tip: number) {
    this.announced = tip;
  }
}
