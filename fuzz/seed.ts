// Writes the seed corpus (fuzz/corpus/<target>/*.hex) from real captures and the test vectors already
// in the repository: the Bitcoin developer reference's version/verack frames and one message of every
// kind (the codec's round-trip arbitraries, fixed seed), the p2pnetwork byte capture and Python-made
// compressed packets, the EIP-8 RLPx and discv4 vectors, and JSON-RPC bodies as ganache answers.
// Run: node --import tsx --conditions=source fuzz/seed.ts   (the corpus is committed; rerun to refresh)
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { BitcoinCodec, MAINNET, KNOWN_COMMANDS, encodePayload } from '../packages/bitcoin/src/index.js';
import { messages } from '../packages/bitcoin/test/arbitraries.js';
import { vectorSecrets } from './targets.js';
import { FrameCodec } from '../packages/ethereum/src/rlpx/index.js';

const root = path.dirname(fileURLToPath(import.meta.url));
const repo = path.join(root, '..');
const write = (target: string, name: string, bytes: Uint8Array) => {
  const dir = path.join(root, 'corpus', target);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, `${name}.hex`), `${Buffer.from(bytes).toString('hex').replace(/(.{128})/g, '$1\n').trim()}\n`);
};
const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

// ---- Bitcoin ----
// Bitcoin developer reference, "version" example, and a verack (packages/bitcoin/test/vectors.test.ts).
const source = readFileSync(path.join(repo, 'packages/bitcoin/test/vectors.test.ts'), 'utf8');
const literal = (name: string) => {
  const m = new RegExp(`const ${name} = hex\\(([\\s\\S]*?)\\);`).exec(source);
  if (!m) throw new Error(`${name} not found in vectors.test.ts`);
  return hex([...m[1].matchAll(/'([0-9a-f\s]*)'/g)].map((x) => x[1]).join(''));
};
write('bitcoin-frame', 'devref-version', literal('VERSION_FRAME'));
write('bitcoin-frame', 'devref-verack', literal('VERACK_FRAME'));
const codec = new BitcoinCodec({ magic: MAINNET.magic });
let all: Uint8Array[] = [];
for (const [name, arb] of Object.entries(messages)) {
  const samples = fc.sample(arb, { seed: 42, numRuns: 2 });
  samples.forEach((m, i) => {
    const frame = codec.encode(m).bytes;
    all.push(frame);
    write('bitcoin-frame', `${name}-${i}`, frame);
    const index = KNOWN_COMMANDS.indexOf(m.command as (typeof KNOWN_COMMANDS)[number]);
    if (index >= 0) write('bitcoin-payload', `${name}-${i}`, Buffer.concat([Buffer.of(index), encodePayload(m)]));
  });
}
write('bitcoin-frame', 'stream-of-all', Buffer.concat(all.slice(0, 12)));
write('bitcoin-payload', 'btcd-version-70001', Buffer.concat([Buffer.of(KNOWN_COMMANDS.indexOf('version')), hex(`71110100 0100000000000000 29ab5f4900000000
  0100000000000000 00000000000000000000ffffc0a80001 208d 0100000000000000 00000000000000000000ffff7f000001 208d
  f3e0010000000000 10 2f6463726474657374 3a302e302e312f fa920300 01`)]));
all = [];

// ---- p2pnet ----
// The byte capture of shared/P2PNETWORK-WIRE.md, as each side receives it (first byte: direction and framing).
const idB = 'ee27e057' + 'ab'.repeat(58) + '4b04';
const capture = (first: string, ...rest: (string | Uint8Array)[]) => Buffer.concat([Buffer.from(first), ...rest.map((r) => (typeof r === 'string' ? Buffer.from(r, 'latin1') : Buffer.from(r)))]);
write('p2pnet-framing', 'capture-a-receives', Buffer.concat([Buffer.of(1), capture(`${idB}:8002`, 'hello from B\x04', Buffer.from('0001726177ff04', 'hex'), 'eJyrVkrKLEhVslJQKsjMS1fSUVDKA3IMgXR+NpBRUlSaCmSXpFaUgNRkxJQaGKRa5uTkK8SUGpkbGivVAgBhZxKHemxpYg==\x02\x04')]));
write('p2pnet-framing', 'capture-b-receives', Buffer.concat([Buffer.of(0), capture('node-A', '{"type": "ping", "n": 1, "ok": true}\x04', '42\x04', 'two\x04msgs\x04')]));
const lengthFramed = (...payloads: string[]) => Buffer.concat(payloads.flatMap((p) => { const b = Buffer.from(p); const l = Buffer.alloc(4); l.writeUInt32BE(b.length); return [l, b]; }));
write('p2pnet-framing', 'length-framed', Buffer.concat([Buffer.of(3), Buffer.from('peer-x:9000'), lengthFramed('{"a": [1, 2, {"b": null}]}', 'with \x04 inside', '"\\u00e9"')]));
write('p2pnet-framing', 'json-proto-keys', Buffer.concat([Buffer.of(1), Buffer.from('peer-y:1'), Buffer.from('{"__proto__": {"polluted": 1}, "constructor": {"prototype": {}}}\x04[1e400, -0, "\\ud800"]\x04')]));
// Python-made compressed packets (packages/p2pnet/test/compression.test.ts), base64 decoded: data + suffix.
const py = readFileSync(path.join(repo, 'packages/p2pnet/test/compression.test.ts'), 'utf8');
for (const method of ['zlib', 'bzip2', 'lzma']) {
  const m = new RegExp(`${method}: '([A-Za-z0-9+/=]+)'`).exec(py);
  if (!m) throw new Error(`${method} packet not found`);
  write('p2pnet-decompress', `python-${method}`, Buffer.from(m[1], 'base64'));
}

// ---- Ethereum ----
// EIP-8 test vectors (packages/ethereum/test/rlpx-vectors.test.ts, discv4.test.ts).
const rlpx = readFileSync(path.join(repo, 'packages/ethereum/test/rlpx-vectors.test.ts'), 'utf8');
const template = (text: string, name: string) => {
  const m = new RegExp(`(?:const ${name} = h\\(|\\b${name}: h\\()\`([0-9a-f\\s]+)\``).exec(text);
  if (!m) throw new Error(`${name} not found`);
  return hex(m[1]);
};
for (const [i, kind] of [[1, 'legacy'], [2, 'eip8'], [3, 'eip8-v57']] as const) {
  write('rlpx-auth', `auth${i}-${kind}`, template(rlpx, `auth${i}`));
  write('rlpx-ack', `ack${i}-${kind}`, template(rlpx, `ack${i}`));
}
// Frames as the initiator sends them after (Auth2, Ack2): a Hello (the EIP-8 vector's), a Ping, a long one.
const { a } = vectorSecrets(template(rlpx, 'auth2'), template(rlpx, 'ack2'));
const sender = new FrameCodec(a);
const hello = hex(`80f87137916b6e6574682f76302e39312f706c616e39cdc5836574683dc6846d6f726b1682270fb840
fda1cff674c90c9a197539fe3dfb53086ace64f83ed7c6eabec741f7f381cc803e52ab2cd55d5569
bce4347107a310dfd5f88a010cd2ffd1005ca406f1842877c883666f6f836261720304`);
write('rlpx-frame', 'hello-ping-long', Buffer.concat([sender.encode(hello), sender.encode(hex('02c0')), sender.encode(new Uint8Array(300).fill(7))]));
const discv4 = readFileSync(path.join(repo, 'packages/ethereum/test/discv4.test.ts'), 'utf8');
for (const name of ['ping', 'ping555', 'pong', 'findnode', 'neighbours']) write('discv4', name, template(discv4, name));

// ---- JSON-RPC ----
const bodies: Record<string, string> = {
  'block-number': '{"id":1,"jsonrpc":"2.0","result":"0x10"}',
  syncing: '{"jsonrpc":"2.0","id":1,"result":{"startingBlock":"0x0","currentBlock":"0x1f","highestBlock":"0xff"}}',
  'rpc-error': '{"jsonrpc":"2.0","id":1,"error":{"code":-32601,"message":"the method eth_mining does not exist/is not available"}}',
  'null-id-error': '{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error"}}',
  block: '{"jsonrpc":"2.0","id":1,"result":{"number":"0x1b4","hash":"0xdc0818cf78f21a8e70579cb46a43643f78291264dda342ae31049421c82d21ae","parentHash":"0xe99e022112df268087ea7eafaf4790497fd21dbeeb6bd7a1721df161a6657a54","timestamp":"0x55ba467c","transactions":[],"gasUsed":"0x0","gasLimit":"0x1388","miner":"0x4e65fda2159562a496f9f3522f89122a3088497a","baseFeePerGas":"0x7"}}',
  batch: '[{"jsonrpc":"2.0","id":1,"result":"0x1"},{"jsonrpc":"2.0","id":2,"result":"0x2"}]',
};
for (const [name, body] of Object.entries(bodies)) write('jsonrpc-response', name, Buffer.from(body));
console.log('corpus written to fuzz/corpus');
