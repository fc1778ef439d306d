import { createCipheriv, type Cipher } from 'node:crypto';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { xor } from '../bytes.js';

type KeccakState = ReturnType<typeof keccak_256.create>;

/**
 * RLPx's running frame MAC: a keccak256 state seeded at the handshake and updated with each header
 * and body, mixed through AES-256-ECB keyed with mac-secret (devp2p rlpx.md, "Framing").
 */
export class FrameMac {
  private readonly hash: KeccakState;
  private readonly ecb: Cipher;

  constructor(macSecret: Uint8Array, seed: Uint8Array) {
    this.hash = keccak_256.create();
    this.hash.update(seed);
    // ECB has no chaining, so one cipher serves every 16-byte block.
    this.ecb = createCipheriv('aes-256-ecb', macSecret, null);
    this.ecb.setAutoPadding(false);
  }

  /** The first 16 bytes of the current hash (the hash state itself is not consumed). */
  digest(): Uint8Array {
    return this.hash.clone().digest().subarray(0, 16);
  }

  /** Full 32-byte digest, for the EIP-8 test vector on the seeded state. */
  peek(data: Uint8Array): Uint8Array {
    return this.hash.clone().update(data).digest();
  }

  updateHeader(headerCiphertext: Uint8Array): Uint8Array {
    const seed = xor(this.encrypt(this.digest()), headerCiphertext);
    this.hash.update(seed);
    return this.digest();
  }

  updateBody(bodyCiphertext: Uint8Array): Uint8Array {
    this.hash.update(bodyCiphertext);
    const prev = this.digest();
    this.hash.update(xor(this.encrypt(prev), prev));
    return this.digest();
  }

  private encrypt(block: Uint8Array): Uint8Array {
    return new Uint8Array(this.ecb.update(block));
  }
}
