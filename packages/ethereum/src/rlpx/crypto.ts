import {
  createECDH, createHash, createPrivateKey, createPublicKey, diffieHellman, randomBytes, type KeyObject,
} from 'node:crypto';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { concat, fromHex, hex } from '../bytes.js';

export const keccak256 = (data: Uint8Array): Uint8Array => keccak_256(data);

export function sha256(...parts: Uint8Array[]): Uint8Array {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

export function randomBytes32(): Uint8Array {
  return new Uint8Array(randomBytes(32));
}

/** DER prefix of a secp256k1 SubjectPublicKeyInfo with an uncompressed point: what node:crypto imports fastest. */
const SPKI_PREFIX = Buffer.from('3056301006072a8648ce3d020106052b8104000a034200', 'hex');
/** DER of a secp256k1 SEC1 ECPrivateKey around its 32-byte scalar and 65-byte uncompressed public key. */
const SEC1_PREFIX = Buffer.from('30740201010420', 'hex');
const SEC1_MIDDLE = Buffer.from('a00706052b8104000aa144034200', 'hex');
const publicKeyObjects = new Map<string, KeyObject>();
/** Importing a point validates it (~0.2 ms); peers' static keys recur, so keep the last few thousand. */
function publicKeyObject(publicKey: Uint8Array): KeyObject {
  const id = hex(publicKey);
  let key = publicKeyObjects.get(id);
  if (!key) {
    key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' });
    if (publicKeyObjects.size >= 4096) publicKeyObjects.clear();
    publicKeyObjects.set(id, key);
  }
  return key;
}

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');

/**
 * A secp256k1 key pair. ECDH and key generation go through node:crypto (OpenSSL, 3-4× faster than
 * pure JS here, and the bulk of a handshake's CPU); signing and recovery, which OpenSSL does not
 * offer in Ethereum's recoverable form, use @noble/curves.
 */
export class KeyPair {
  readonly privateKey: Uint8Array;
  /** Uncompressed, 65 bytes (0x04 prefix). */
  readonly publicKey: Uint8Array;
  private readonly key: KeyObject;
  /** ECDH results with long-lived keys (the static-static secret of RLPx), by remote key. */
  private readonly staticSecrets = new Map<string, Uint8Array>();

  private constructor(key: KeyObject, privateKey: Uint8Array, publicKey: Uint8Array) {
    this.key = key;
    this.privateKey = privateKey;
    this.publicKey = publicKey;
  }

  /**
   * Never generateKeyPairSync + export: on Node 20 a GC during the export (which holds the key's mutex)
   * can run the finished KeyGenJob's destructor, which takes the same mutex, and the thread deadlocks
   * for good (timers never fire again). ECDH generates the pair; the KeyObject is imported from SEC1 DER.
   */
  static generate(): KeyPair {
    const ecdh = createECDH('secp256k1');
    const pub = new Uint8Array(ecdh.generateKeys());
    const d = fixed32(ecdh.getPrivateKey());
    const key = createPrivateKey({ key: Buffer.concat([SEC1_PREFIX, d, SEC1_MIDDLE, pub]), format: 'der', type: 'sec1' });
    return new KeyPair(key, d, pub);
  }

  static fromPrivate(privateKey: Uint8Array | string): KeyPair {
    const d = fixed32(typeof privateKey === 'string' ? fromHex(privateKey) : privateKey);
    const pub = secp256k1.getPublicKey(d, false);
    const key = createPrivateKey({
      key: { kty: 'EC', crv: 'secp256k1', d: b64(d), x: b64(pub.subarray(1, 33)), y: b64(pub.subarray(33)) },
      format: 'jwk',
    });
    return new KeyPair(key, d, pub);
  }

  /** 64-byte node id: the public key without its 0x04 prefix. */
  get id(): Uint8Array {
    return this.publicKey.subarray(1);
  }

  /** The x coordinate of the shared point (what RLPx and ECIES call the shared secret). */
  ecdhX(remotePublic: Uint8Array): Uint8Array {
    const remote = remotePublic.length === 64 ? idToPublicKey(remotePublic) : remotePublic;
    try {
      return new Uint8Array(diffieHellman({ privateKey: this.key, publicKey: publicKeyObject(remote) }));
    } catch {
      throw new Error('invalid public key');
    }
  }

  /** ecdhX for a remote key that recurs (a peer's node key), remembered per remote. */
  ecdhStatic(remotePublic: Uint8Array): Uint8Array {
    const id = hex(remotePublic);
    let secret = this.staticSecrets.get(id);
    if (!secret) {
      secret = this.ecdhX(remotePublic);
      if (this.staticSecrets.size >= 4096) this.staticSecrets.clear();
      this.staticSecrets.set(id, secret);
    }
    return secret;
  }

  /** Recoverable signature of a 32-byte hash as r ‖ s ‖ v (v ∈ {0,1}), devp2p's layout. */
  sign(hash: Uint8Array): Uint8Array {
    const sig = secp256k1.sign(hash, this.privateKey, { prehash: false, format: 'recovered' });
    // noble puts the recovery byte first.
    return concat(sig.subarray(1, 65), sig.subarray(0, 1));
  }
}

function fixed32(bytes: Uint8Array): Uint8Array {
  if (bytes.length === 32) return new Uint8Array(bytes);
  if (bytes.length > 32) throw new Error('secp256k1 scalar longer than 32 bytes');
  const out = new Uint8Array(32);
  out.set(bytes, 32 - bytes.length);
  return out;
}

/** Recovers the uncompressed public key (65 bytes) from an r ‖ s ‖ v signature over a 32-byte hash. */
export function recoverPublicKey(signature: Uint8Array, hash: Uint8Array): Uint8Array {
  if (signature.length !== 65 || signature[64] > 3) throw new Error('invalid signature');
  const noble = concat(signature.subarray(64, 65), signature.subarray(0, 64));
  const compressed = secp256k1.recoverPublicKey(noble, hash, { prehash: false });
  return secp256k1.Point.fromBytes(compressed).toBytes(false);
}

export function idToPublicKey(id: Uint8Array): Uint8Array {
  if (id.length !== 64) throw new Error(`node id must be 64 bytes, got ${id.length}`);
  return concat(Uint8Array.of(4), id);
}

export function publicKeyToId(publicKey: Uint8Array): Uint8Array {
  if (publicKey.length === 64) return publicKey;
  if (publicKey.length === 33) return secp256k1.Point.fromBytes(publicKey).toBytes(false).subarray(1);
  return publicKey.subarray(1);
}

export function isValidNodeId(id: Uint8Array): boolean {
  try {
    secp256k1.Point.fromBytes(idToPublicKey(id)).assertValidity();
    return true;
  } catch {
    return false;
  }
}

export const nodeIdHex = (id: Uint8Array): string => hex(id);

const keys = new Map<string, KeyPair>();
/** Node keys are per process and long-lived; deriving the public key costs a scalar multiplication. */
export function nodeKey(privateKey: string): KeyPair {
  let key = keys.get(privateKey);
  if (!key) {
    key = KeyPair.fromPrivate(privateKey);
    if (keys.size > 64) keys.clear();
    keys.set(privateKey, key);
  }
  return key;
}

/** Ephemeral keys made ahead of need. */
const EPHEMERAL_POOL = 8;
const ephemeralPool: KeyPair[] = [];
let refillScheduled = false;

/**
 * A fresh key pair for one handshake or one ECIES message. Taken from a small pool refilled with
 * setImmediate, so key generation runs while we wait for the peer rather than on the reply's path.
 */
export function ephemeralKey(): KeyPair {
  const key = ephemeralPool.pop() ?? KeyPair.generate();
  scheduleRefill();
  return key;
}

function scheduleRefill(): void {
  if (refillScheduled || ephemeralPool.length >= EPHEMERAL_POOL) return;
  refillScheduled = true;
  setImmediate(() => {
    refillScheduled = false;
    ephemeralPool.push(KeyPair.generate()); // one per turn: never hold the event loop for long
    scheduleRefill();
  }).unref();
}
