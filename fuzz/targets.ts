// The fuzz targets: every decoder that reads bytes a stranger sent. Each says what it may throw (its
// typed decode errors) and checks its own bounds; anything else is a finding (see fuzz/harness.ts).
import { BitcoinCodec, HEADER_SIZE, KNOWN_COMMANDS, MAINNET, decodePayload } from '../packages/bitcoin/src/index.js';
import { P2pCodec, decompress, CompressionError, decodePacket as p2pDecodePacket } from '../packages/p2pnet/src/index.js';
import { FrameCodec, KeyPair, RlpxHandshake, keccak256 } from '../packages/ethereum/src/rlpx/index.js';
import { FrameMac } from '../packages/ethereum/src/rlpx/mac.js';
import { decodePacket as discv4Decode, MAX_PACKET_SIZE } from '../packages/ethereum/src/discv4/packet.js';
import { parseRpcResponse, RpcError } from '../packages/ethereum/src/rpc/client.js';
import { LimitViolation, loadCorpus, type FuzzTarget } from './harness.js';

const isProtocolError = (e: unknown) => (e as { name?: string })?.name === 'ProtocolError' && typeof (e as { reason?: unknown }).reason === 'string';
/**
 * The Ethereum decoders throw plain Errors naming what was wrong (and the libraries under them, RLP
 * and secp256k1, do the same): a plain Error is their typed refusal. A TypeError, RangeError or
 * ReferenceError is a bug (a property of undefined, an out-of-range read).
 */
const isPlainError = (e: unknown) =>
  e instanceof Error && (!(e instanceof TypeError || e instanceof RangeError || e instanceof ReferenceError) || DELIBERATE_RANGE_ERRORS.has(e.message));
/** RangeErrors the Ethereum code throws on purpose: bytesToNumber refusing a number past 2^53 (a refusal, dropped by Discovery). */
const DELIBERATE_RANGE_ERRORS = new Set(['integer too large']);

/** Feeds `input` in pieces whose sizes come from the input itself (so splits vary with it). */
function pieces(input: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let at = 0;
  let i = 0;
  while (at < input.length) {
    const size = 1 + ((input[i++ % input.length] * 131 + i) % 97) * (i % 3 === 0 ? 41 : 1);
    out.push(input.subarray(at, at + size));
    at += size;
  }
  return out;
}

const BITCOIN_MAX_PAYLOAD = 4_000_000;

export const bitcoinFrame: FuzzTarget = {
  name: 'bitcoin-frame',
  about: 'BitcoinCodec.decode: a mainnet byte stream in pieces (framing, checksum, then every payload codec)',
  run(input) {
    const codec = new BitcoinCodec({ magic: MAINNET.magic });
    for (const p of pieces(input)) {
      codec.decode(p);
      if (codec.buffered > HEADER_SIZE + BITCOIN_MAX_PAYLOAD) throw new LimitViolation(`buffered ${codec.buffered} bytes`);
    }
  },
  typed: isProtocolError,
};

/** First byte picks the command; the rest is its payload (no checksum in the way). */
export const bitcoinPayload: FuzzTarget = {
  name: 'bitcoin-payload',
  about: 'decodePayload for every known command (first byte picks it), past the frame checksum',
  run(input) {
    if (input.length === 0) return;
    const command = KNOWN_COMMANDS[input[0] % KNOWN_COMMANDS.length];
    decodePayload(command, input.subarray(1));
  },
  typed: isProtocolError,
};

/** First byte: bit 0 direction, bit 1 framing. A 4 KiB message limit so the oversize path is reached. */
export const p2pnetFraming: FuzzTarget = {
  name: 'p2pnet-framing',
  about: 'P2pCodec.decode (handshake text, EOT and length framing, both directions) and the text/JSON step',
  run(input) {
    if (input.length === 0) return;
    const maxMessageSize = 4096;
    const codec = new P2pCodec(input[0] & 1 ? 'inbound' : 'outbound', { framing: input[0] & 2 ? 'length' : 'eot', maxMessageSize });
    for (const p of pieces(input.subarray(1))) {
      for (const d of codec.decode(p)) {
        if (d.message.kind === 'packet') {
          if (d.message.payload.length > maxMessageSize) throw new LimitViolation(`packet of ${d.message.payload.length} bytes`);
          // Uncompressed packets only here (decompression is its own target): text, JSON or bytes.
          if (d.message.payload.at(-1) !== 0x02) p2pDecodePacket(d.message.payload, maxMessageSize);
        }
      }
      if (codec.pending() > maxMessageSize + LENGTH_PREFIX) throw new LimitViolation(`pending ${codec.pending()} bytes`);
    }
  },
  typed: isProtocolError,
};
const LENGTH_PREFIX = 4;

/** zlib, bzip2 and lzma data with p2pnetwork's suffix, decompressed to at most 64 KiB. */
export const p2pnetDecompress: FuzzTarget = {
  name: 'p2pnet-decompress',
  about: 'decompress (zlib, bzip2, lzma by suffix) with a 64 KiB output limit and the expansion-ratio cap',
  async run(input) {
    const limit = 64 * 1024;
    const out = await decompress(input, limit);
    if (out.length > limit) throw new LimitViolation(`decompressed to ${out.length} bytes`);
  },
  typed: (e) => e instanceof CompressionError,
  maxInput: 16_384,
};

// The EIP-8 test vectors' keys: auth packets are for B, acks for A (after A's auth).
const keyA = KeyPair.fromPrivate('49a7b37aa6f6645917e7b807e9d1c00d4fa71f18343b0d4122a4d2df64dd6fee');
const keyB = KeyPair.fromPrivate('b71c71a67e1177ad4e901695e1b4b9ee17ae16c6668d313eac2f96dbcda3f291');
const ephA = KeyPair.fromPrivate('869d6ecf5211f1cc60418a13b9d870b22959d0c16f02bec714c960dd2298a32d');
const ephB = KeyPair.fromPrivate('e238eb8e04fee6511ab04c6dd3c89ce097b11f25d584863ac2b6d5b35b1847e4');
const hexBytes = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));
const nonceA = hexBytes('7e968bba13b6c50e2c4cd7f241cc0d64d1ac25c7f5952df231ac6a2bda8ee5d6');
const nonceB = hexBytes('559aead08264d5795d3909718cdd05abd49572e84fe55590eef31a88a08fdffd');

export const rlpxAuth: FuzzTarget = {
  name: 'rlpx-auth',
  about: 'RlpxHandshake.parseAuth (legacy and EIP-8: size prefix, ECIES, RLP body, signature recovery)',
  run(input) {
    new RlpxHandshake(keyB, { ephemeral: ephB, nonce: nonceB }).parseAuth(input);
  },
  typed: isPlainError,
  maxInput: 4096,
};

let initiator: RlpxHandshake | undefined;
export const rlpxAck: FuzzTarget = {
  name: 'rlpx-ack',
  about: 'RlpxHandshake.parseAck (legacy and EIP-8) and the secrets derived from it',
  run(input) {
    if (!initiator) {
      initiator = new RlpxHandshake(keyA, { ephemeral: ephA, nonce: nonceA });
      initiator.createAuth(keyB.id);
    }
    initiator.parseAck(input);
  },
  typed: isPlainError,
  maxInput: 4096,
};

/** Both sides' secrets from the EIP-8 vectors (Auth2, Ack2): A's frames are what B's reader decodes. */
export function vectorSecrets(auth: Uint8Array, ack: Uint8Array): { a: ReturnType<RlpxHandshake['secrets']>; b: ReturnType<RlpxHandshake['secrets']> } {
  const b = new RlpxHandshake(keyB, { ephemeral: ephB, nonce: nonceB });
  b.parseAuth(auth);
  (b as unknown as { ackPacket: Uint8Array }).ackPacket = ack;
  const a = new RlpxHandshake(keyA, { ephemeral: ephA, nonce: nonceA });
  Object.assign(a as unknown as Record<string, unknown>, { initiator: true, remotePublic: keyB.publicKey, remoteEphemeral: ephB.publicKey, remoteNonce: nonceB, authPacket: auth, ackPacket: ack });
  return { a: a.secrets(), b: b.secrets() };
}

const vector = (target: string, file: string) => loadCorpus(target).find((c) => c.file === file)!.bytes;
/** The recipient's ingress MAC seed and secrets for (Auth2, Ack2), derived once (an ECDH and a recovery). */
let recipient: { aesSecret: Uint8Array; macSecret: Uint8Array; ingressSeed: Uint8Array; egressSeed: Uint8Array } | undefined;
function recipientSecrets(): ReturnType<RlpxHandshake['secrets']> {
  if (!recipient) {
    const auth = vector('rlpx-auth', 'auth2-eip8.hex');
    const ack = vector('rlpx-ack', 'ack2-eip8.hex');
    const { b } = vectorSecrets(auth, ack);
    const xor = (x: Uint8Array, y: Uint8Array) => x.map((v, i) => v ^ y[i]);
    recipient = {
      aesSecret: b.aesSecret, macSecret: b.macSecret,
      // As RlpxHandshake.secrets(): the initiator's egress (our ingress) from the recipient's nonce and the auth.
      ingressSeed: Buffer.concat([xor(b.macSecret, nonceB), auth]),
      egressSeed: Buffer.concat([xor(b.macSecret, nonceA), ack]),
    };
  }
  const r = recipient;
  return { aesSecret: r.aesSecret, macSecret: r.macSecret, ingressMac: new FrameMac(r.macSecret, r.ingressSeed), egressMac: new FrameMac(r.macSecret, r.egressSeed) };
}

export const rlpxFrame: FuzzTarget = {
  name: 'rlpx-frame',
  about: 'FrameCodec.decode (header MAC, AES-CTR, length, body MAC) in pieces, with the vectors\' secrets',
  run(input) {
    const reader = new FrameCodec(recipientSecrets());
    for (const p of pieces(input)) {
      reader.decode(p);
      if (reader.pending > 32 + 16 * 1024 * 1024 + 16 + 16) throw new LimitViolation(`pending ${reader.pending}`);
    }
  },
  typed: isPlainError,
};

export const discv4: FuzzTarget = {
  name: 'discv4',
  about: 'discv4 decodePacket (size, hash, signature recovery, RLP, every packet type); the hash is recomputed after mutation',
  run(input) {
    discv4Decode(input);
  },
  fixup(input) {
    if (input.length <= 32) return input;
    const out = Uint8Array.from(input);
    out.set(keccak256(out.subarray(32)), 0);
    return out;
  },
  typed: isPlainError,
  maxInput: MAX_PACKET_SIZE + 64,
};

export const jsonRpc: FuzzTarget = {
  name: 'jsonrpc-response',
  about: 'parseRpcResponse: a JSON-RPC 2.0 body (UTF-8) to its result for request id 1',
  run(input) {
    parseRpcResponse(Buffer.from(input).toString('utf8'), 1);
  },
  typed: (e) => e instanceof RpcError,
};

export const TARGETS: FuzzTarget[] = [bitcoinFrame, bitcoinPayload, p2pnetFraming, jsonRpc, rlpxFrame, p2pnetDecompress, rlpxAck, rlpxAuth, discv4];
