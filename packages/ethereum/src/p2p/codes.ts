/** Base protocol message ids; capabilities start at 0x10 (devp2p rlpx.md, "Message Id-based Multiplexing"). */
export const P2P = { hello: 0x00, disconnect: 0x01, ping: 0x02, pong: 0x03 } as const;
export const BASE_PROTOCOL_LENGTH = 0x10;
/** RLP of the empty list: the payload of Ping and Pong. */
export const EMPTY_LIST = Uint8Array.of(0xc0);
