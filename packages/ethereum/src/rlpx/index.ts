export { KeyPair, keccak256, recoverPublicKey, idToPublicKey, publicKeyToId } from './crypto.js';
export { eciesEncrypt, eciesDecrypt, ECIES_OVERHEAD } from './ecies.js';
export { RlpxHandshake, LEGACY_AUTH_SIZE, LEGACY_ACK_SIZE, MAX_HANDSHAKE_PACKET, eip8PacketLength } from './handshake.js';
export type { Secrets, AuthInfo, HandshakeOptions } from './handshake.js';
export { FrameCodec, FrameError, MAX_FRAME_SIZE } from './frame.js';
