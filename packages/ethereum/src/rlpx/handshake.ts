import { RLP } from '@ethereumjs/rlp';
import { randomBytes } from 'node:crypto';
import { bytesToNumber, concat, equal, xor } from '../bytes.js';
import { ephemeralKey, idToPublicKey, type KeyPair, keccak256, publicKeyToId, randomBytes32, recoverPublicKey } from './crypto.js';
import { ECIES_OVERHEAD, eciesDecrypt, eciesEncrypt } from './ecies.js';
import { FrameMac } from './mac.js';

/** Pre-EIP-8 packet sizes: fixed-size ECIES ciphertexts. */
export const LEGACY_AUTH_SIZE = 194 + ECIES_OVERHEAD; // 307
export const LEGACY_ACK_SIZE = 97 + ECIES_OVERHEAD; // 210
/** EIP-8 packets carry a 16-bit size; anything this large is not a handshake we accept. */
export const MAX_HANDSHAKE_PACKET = 2048;
const RLPX_VERSION = 4;

export interface Secrets {
  aesSecret: Uint8Array;
  macSecret: Uint8Array;
  egressMac: FrameMac;
  ingressMac: FrameMac;
}

export interface AuthInfo {
  remoteId: Uint8Array;
  eip8: boolean;
  version: number;
}

export interface HandshakeOptions {
  /** Fixed ephemeral key and nonce: for the EIP-8 test vectors only. */
  ephemeral?: KeyPair;
  nonce?: Uint8Array;
}

/**
 * Length of the handshake packet at the start of `buffer`, or undefined when more bytes are needed.
 * EIP-8 packets start with a 16-bit size; legacy ones are fixed-size ECIES blobs starting with 0x04.
 * A size prefix can start with 0x04 too (≥ 1024 bytes), so the caller tries legacy first and falls
 * back (EIP-8, "Changes to the RLPx TCP Handshake").
 */
export function eip8PacketLength(buffer: Uint8Array): number | undefined {
  if (buffer.length < 2) return undefined;
  return ((buffer[0] << 8) | buffer[1]) + 2;
}

/** One side of the RLPx key agreement (devp2p rlpx.md, "Initial Handshake"). */
export class RlpxHandshake {
  readonly ephemeral: KeyPair;
  readonly nonce: Uint8Array;
  private remotePublic?: Uint8Array;
  private remoteNonce?: Uint8Array;
  private remoteEphemeral?: Uint8Array;
  private authPacket?: Uint8Array;
  private authSignature?: Uint8Array;
  private ephemeralHash?: Uint8Array;
  private ackPacket?: Uint8Array;
  private initiator = false;
  private eip8 = true;

  constructor(private readonly key: KeyPair, options: HandshakeOptions = {}) {
    this.ephemeral = options.ephemeral ?? ephemeralKey();
    this.nonce = options.nonce ?? randomBytes32();
  }

  get remoteId(): Uint8Array | undefined {
    return this.remotePublic && publicKeyToId(this.remotePublic);
  }

  // ---- initiator ----

  createAuth(remoteId: Uint8Array, eip8 = true): Uint8Array {
    this.initiator = true;
    this.remotePublic = idToPublicKey(remoteId);
    const staticShared = this.key.ecdhStatic(this.remotePublic);
    const sig = this.ephemeral.sign(xor(staticShared, this.nonce));
    if (!eip8) {
      const body = concat(sig, keccak256(this.ephemeral.id), this.key.id, this.nonce, Uint8Array.of(0));
      this.authPacket = eciesEncrypt(this.remotePublic, body);
    } else {
      const body = RLP.encode([sig, this.key.id, this.nonce, RLPX_VERSION]);
      this.authPacket = sealEip8(this.remotePublic, body);
    }
    return this.authPacket;
  }

  /** Parses the recipient's ack (either format) and derives the session secrets. */
  parseAck(packet: Uint8Array): Secrets {
    this.ackPacket = packet;
    const legacy = tryLegacy(this.key, packet, LEGACY_ACK_SIZE);
    if (legacy) {
      this.eip8 = false;
      this.remoteEphemeral = idToPublicKey(legacy.subarray(0, 64));
      this.remoteNonce = legacy.subarray(64, 96);
    } else {
      const fields = openEip8(this.key, packet);
      if (fields.length < 2) throw new Error('ack: too few fields');
      this.remoteEphemeral = idToPublicKey(asBytes(fields[0], 64, 'ephemeral key'));
      this.remoteNonce = asBytes(fields[1], 32, 'nonce');
    }
    return this.secrets();
  }

  // ---- recipient ----

  /** Parses an auth packet (either format); recovers the initiator's ephemeral key from the signature. */
  parseAuth(packet: Uint8Array): AuthInfo {
    const info = this.openAuth(packet);
    this.completeAuth();
    return info;
  }

  /**
   * First half of parseAuth: decrypts the auth and learns who sent it, enough to write the ack.
   * The recovery of the initiator's ephemeral key (the costliest step) can then run while the ack
   * travels and the initiator decrypts it.
   */
  openAuth(packet: Uint8Array): AuthInfo {
    this.authPacket = packet;
    let version = RLPX_VERSION;
    const legacy = tryLegacy(this.key, packet, LEGACY_AUTH_SIZE);
    if (legacy) {
      this.eip8 = false;
      this.authSignature = legacy.subarray(0, 65);
      this.ephemeralHash = legacy.subarray(65, 97);
      this.remotePublic = idToPublicKey(legacy.subarray(97, 161));
      this.remoteNonce = legacy.subarray(161, 193);
    } else {
      const fields = openEip8(this.key, packet);
      if (fields.length < 3) throw new Error('auth: too few fields');
      this.authSignature = asBytes(fields[0], 65, 'signature');
      this.remotePublic = idToPublicKey(asBytes(fields[1], 64, 'public key'));
      this.remoteNonce = asBytes(fields[2], 32, 'nonce');
      if (fields[3] instanceof Uint8Array) version = bytesToNumber(fields[3]);
    }
    return { remoteId: this.remotePublic.subarray(1), eip8: this.eip8, version };
  }

  /** Second half of parseAuth: checks the signature by recovering the initiator's ephemeral key. */
  completeAuth(): void {
    if (!this.remotePublic || !this.remoteNonce || !this.authSignature) throw new Error('auth not opened');
    if (this.remoteEphemeral) return;
    const staticShared = this.key.ecdhStatic(this.remotePublic);
    this.remoteEphemeral = recoverPublicKey(this.authSignature, xor(staticShared, this.remoteNonce));
    if (this.ephemeralHash && !equal(keccak256(this.remoteEphemeral.subarray(1)), this.ephemeralHash)) {
      throw new Error('auth: ephemeral key hash mismatch');
    }
  }

  /** The ack in the format the auth came in (EIP-8: "the corresponding ack-packet should be sent"). */
  createAck(): Uint8Array {
    if (!this.remotePublic) throw new Error('ack before auth');
    if (this.eip8) {
      this.ackPacket = sealEip8(this.remotePublic, RLP.encode([this.ephemeral.id, this.nonce, RLPX_VERSION]));
    } else {
      this.ackPacket = eciesEncrypt(this.remotePublic, concat(this.ephemeral.id, this.nonce, Uint8Array.of(0)));
    }
    return this.ackPacket;
  }

  secrets(): Secrets {
    if (!this.initiator && this.authSignature) this.completeAuth();
    if (!this.remoteEphemeral || !this.remoteNonce || !this.authPacket || !this.ackPacket) {
      throw new Error('handshake incomplete');
    }
    const ephemeralKey = this.ephemeral.ecdhX(this.remoteEphemeral);
    const [initNonce, respNonce] = this.initiator ? [this.nonce, this.remoteNonce] : [this.remoteNonce, this.nonce];
    const sharedSecret = keccak256(concat(ephemeralKey, keccak256(concat(respNonce, initNonce))));
    const aesSecret = keccak256(concat(ephemeralKey, sharedSecret));
    const macSecret = keccak256(concat(ephemeralKey, aesSecret));
    // The initiator's egress MAC starts from the recipient's nonce and its own auth, and vice versa.
    const initiatorEgress = new FrameMac(macSecret, concat(xor(macSecret, respNonce), this.authPacket));
    const recipientEgress = new FrameMac(macSecret, concat(xor(macSecret, initNonce), this.ackPacket));
    return this.initiator
      ? { aesSecret, macSecret, egressMac: initiatorEgress, ingressMac: recipientEgress }
      : { aesSecret, macSecret, egressMac: recipientEgress, ingressMac: initiatorEgress };
  }
}

function sealEip8(remotePublic: Uint8Array, body: Uint8Array): Uint8Array {
  // EIP-8 asks for at least 100 bytes of random padding so the packet cannot be mistaken for the old format.
  const padded = concat(body, new Uint8Array(randomBytes(100 + Math.floor(Math.random() * 151))));
  const size = padded.length + ECIES_OVERHEAD;
  const prefix = Uint8Array.of(size >> 8, size & 0xff);
  return concat(prefix, eciesEncrypt(remotePublic, padded, prefix));
}

function openEip8(key: KeyPair, packet: Uint8Array): unknown[] {
  const size = eip8PacketLength(packet);
  if (size === undefined || size !== packet.length) throw new Error('handshake: size prefix mismatch');
  const plain = eciesDecrypt(key, packet.subarray(2), packet.subarray(0, 2));
  // EIP-8: ignore additional list elements and any data after the list.
  const decoded = RLP.decode(plain, true).data;
  if (!Array.isArray(decoded)) throw new Error('handshake: body is not a list');
  return decoded;
}

function tryLegacy(key: KeyPair, packet: Uint8Array, size: number): Uint8Array | undefined {
  if (packet.length !== size || packet[0] !== 0x04) return undefined;
  try {
    return eciesDecrypt(key, packet);
  } catch {
    return undefined;
  }
}

function asBytes(value: unknown, length: number, what: string): Uint8Array {
  if (!(value instanceof Uint8Array) || value.length !== length) throw new Error(`handshake: bad ${what}`);
  return value;
}
