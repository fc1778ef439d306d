import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { concat } from '../bytes.js';
import { ephemeralKey, type KeyPair, sha256 } from './crypto.js';

/** Public key (65) + IV (16) + HMAC-SHA256 tag (32): what ECIES adds to a plaintext. */
export const ECIES_OVERHEAD = 113;

/** NIST SP 800-56 concatenation KDF with SHA-256, as go-ethereum's crypto/ecies uses it. */
function concatKdf(secret: Uint8Array, length: number): Uint8Array {
  const parts: Uint8Array[] = [];
  for (let counter = 1, have = 0; have < length; counter++, have += 32) {
    const c = new Uint8Array(4);
    new DataView(c.buffer).setUint32(0, counter);
    parts.push(sha256(c, secret));
  }
  return concat(...parts).subarray(0, length);
}

function keys(shared: Uint8Array): { encKey: Uint8Array; macKey: Uint8Array } {
  const k = concatKdf(shared, 32);
  return { encKey: k.subarray(0, 16), macKey: sha256(k.subarray(16, 32)) };
}

/** ECIES encryption to `remotePublic`; `sharedMacData` is authenticated but not encrypted (EIP-8's size prefix). */
export function eciesEncrypt(
  remotePublic: Uint8Array,
  plaintext: Uint8Array,
  sharedMacData: Uint8Array = new Uint8Array(0),
  ephemeral: KeyPair = ephemeralKey(),
  iv: Uint8Array = new Uint8Array(randomBytes(16)),
): Uint8Array {
  const { encKey, macKey } = keys(ephemeral.ecdhX(remotePublic));
  const cipher = createCipheriv('aes-128-ctr', encKey, iv);
  const body = concat(iv, new Uint8Array(cipher.update(plaintext)));
  const tag = createHmac('sha256', macKey).update(body).update(sharedMacData).digest();
  return concat(ephemeral.publicKey, body, new Uint8Array(tag));
}

export function eciesDecrypt(key: KeyPair, data: Uint8Array, sharedMacData: Uint8Array = new Uint8Array(0)): Uint8Array {
  if (data.length < ECIES_OVERHEAD || data[0] !== 0x04) throw new Error('not an ECIES message');
  const { encKey, macKey } = keys(key.ecdhX(data.subarray(0, 65)));
  const body = data.subarray(65, data.length - 32);
  const tag = createHmac('sha256', macKey).update(body).update(sharedMacData).digest();
  if (!timingSafeEqual(tag, data.subarray(data.length - 32))) throw new Error('ECIES tag mismatch');
  const decipher = createDecipheriv('aes-128-ctr', encKey, body.subarray(0, 16));
  return new Uint8Array(decipher.update(body.subarray(16)));
}
