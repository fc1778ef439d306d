import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import zlib from 'node:zlib';
import compressjs from 'compressjs';
import lzma from 'lzma-native';
import { COMPRESSIONS, CompressionError, Node, decodePacket, decompress, defaultNodeId, encodePacket, pythonJsonDumps } from '../src/index.js';
import { RawPeer, next, startNode } from './helpers.js';

// Made by Python 3 (json.dumps, then p2pnetwork's compress(): base64(compress(payload) + suffix) + 0x02 0x04).
const DICT = { type: 'ping', n: 1, ok: true, text: 'h\u00e9llo \u2713' };
const PY_JSON = '{"type": "ping", "n": 1, "ok": true, "text": "h\\u00e9llo \\u2713"}';
const PY_PACKETS = {
  zlib: 'eJyrViqpLEhVslJQKsjMS1fSUVDKA3IMgXR+NpBRUlSaCmSXpFaUgNRkxJQaGKRa5uTkK8SUGpkbGivVAgBhZxKHemxpYg==',
  bzip2: 'QlpoOTFBWSZTWfP3AvsAAB+bgFAEeLAABALt1mogAEEU8kzRDanqbUeo9IU0aANAAFpAIjgb+I2K6BCb3P1DWU1oYAxudkQ59M+rkUDWC4H4IWmZ/i7kinChIefuBfZiemlwMg==',
  lzma: '/Td6WFoAAATm1rRGAgAhARYAAAB0L+Wj4ABAAD9dAD2IiofT6MhthzZBYGefGdlilqS/vVvqcSu2uFINUml+lWZjSPWa8cVfHoR0jn6URLC6MVmHjjLSAU+n92fmAAAAJEBUgd2KakMAAVtBskASeB+2830BAAAAAARZWmx6bWE=',
};

const nodes: Node[] = [];
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.stop()));
});

describe('message encoding', () => {
  it('writes dicts exactly as Python json.dumps does', () => {
    expect(pythonJsonDumps(DICT)).toBe(PY_JSON);
    expect(Buffer.from(encodePacket(DICT) as Uint8Array).toString()).toBe(PY_JSON);
    expect(pythonJsonDumps({ a: 1, b: [1, 2] })).toBe('{"a": 1, "b": [1, 2]}');
    expect(pythonJsonDumps({ big: 123456789012345678901234567890n })).toBe('{"big": 123456789012345678901234567890}');
  });

  it('makes the default id as p2pnetwork does: sha512(host + port + random)', () => {
    expect(defaultNodeId('127.0.0.1', 8001, 12345)).toBe(
      '0bbffd7325be0cb35382ae6fcc96542eb328d903a70636ec188e2bd81880e9db4dbf6249c092a995024512f7c3ab8f4eac94bf7c255eb841443b2c43ee4697b2',
    );
    expect(defaultNodeId('127.0.0.1', 8001)).toMatch(/^[0-9a-f]{128}$/);
  });

  it('lzma output is byte for byte what Python lzma.compress makes (.xz, CRC64)', async () => {
    const packet = Buffer.from(await encodePacket(DICT, 'lzma'));
    expect(packet.toString('latin1')).toBe(`${PY_PACKETS.lzma}\x02`);
  });

  for (const method of COMPRESSIONS) {
    it(`decodes a ${method} packet made by Python, and its own ${method} round-trips`, async () => {
      expect(await decodePacket(Buffer.from(`${PY_PACKETS[method]}\x02`), 1 << 20)).toEqual(DICT);
      const ours = await encodePacket(DICT, method);
      expect(await decodePacket(ours, 1 << 20)).toEqual(DICT);
    });
  }

  it('Python decodes what we compress', async () => {
    // Never skipped: without python3 the test fails and says what to install.
    const probe = spawnSync('python3', ['-c', 'import bz2, lzma, zlib'], { encoding: 'utf8' });
    if (probe.status !== 0) {
      throw new Error(
        `python3 with its bz2, lzma and zlib modules is needed to check that p2pnetwork's decompress() reads our packets: install it (Debian: \`apt-get install -y python3\`; .ci/run does this when it is missing). ${probe.error?.message ?? probe.stderr.trim()}`,
      );
    }
    const packets = await Promise.all(COMPRESSIONS.map(async (m) => Buffer.from(await encodePacket(DICT, m)).toString('latin1')));
    // p2pnetwork's decompress(), verbatim apart from the function wrapper.
    const script = `
import base64, bz2, json, lzma, sys, zlib
def decompress(compressed):
    compressed = base64.b64decode(compressed)
    if compressed[-4:] == b'zlib':
        compressed = zlib.decompress(compressed[0:len(compressed)-4])
    elif compressed[-5:] == b'bzip2':
        compressed = bz2.decompress(compressed[0:len(compressed)-5])
    elif compressed[-4:] == b'lzma':
        compressed = lzma.decompress(compressed[0:len(compressed)-4])
    return compressed
for line in sys.stdin.read().split('\\n'):
    print(json.dumps(json.loads(decompress(line.encode()[:-1]).decode())))
`;
    const out = spawnSync('python3', ['-c', script], { input: packets.join('\n'), encoding: 'utf8' });
    expect(out.stderr).toBe('');
    expect(out.stdout.trim().split('\n')).toEqual([PY_JSON, PY_JSON, PY_JSON]);
  });

  it('refuses a corrupt compressed packet with a clear error and keeps the connection', async () => {
    const a = await startNode({ id: 'node-A' });
    nodes.push(a);
    const connected = next(a, 'inbound-node-connected');
    const b = await RawPeer.connect(a.port);
    b.write('node-B:1');
    await connected;
    const err = next(a, 'message-error');
    const msg = next(a, 'node-message');
    b.write('bm90IHpsaWIgZGF0YXpsaWI=\x02\x04');
    b.write('still here\x04');
    expect((await err)[0].error).toMatch(/zlib/);
    expect((await msg)[0].data).toBe('still here');
    expect(a.messageCount.errors).toBe(1);
    b.socket.destroy();
  });
});

describe('decompression bombs', () => {
  const MB = 1 << 20;
  // Each expands to 256 MB (64 MB for zlib, whose ratio tops out at ~1:1000) from a few kB: concatenated
  // streams, which Python's lzma.decompress and bz2.decompress both decode.
  const bombs = async (): Promise<Record<(typeof COMPRESSIONS)[number], Buffer>> => {
    const xz = await lzma.compress(Buffer.alloc(MB), { preset: 6 });
    const bz = Buffer.from(compressjs.Bzip2.compressFile(Buffer.alloc(8 * MB), null, 9));
    return {
      lzma: Buffer.concat([...Array<Buffer>(256).fill(xz), Buffer.from('lzma')]),
      bzip2: Buffer.concat([...Array<Buffer>(32).fill(bz), Buffer.from('bzip2')]),
      zlib: Buffer.concat([zlib.deflateSync(Buffer.alloc(64 * MB)), Buffer.from('zlib')]),
    };
  };

  it('stop decoding at the size limit with a typed error, holding little more than the limit', async () => {
    const all = await bombs();
    for (const method of COMPRESSIONS) {
      expect(all[method].length).toBeLessThan(100_000);
      const before = process.memoryUsage().arrayBuffers;
      const err = await (async () => decompress(all[method], MB))().then(() => undefined, (e: unknown) => e);
      expect(err, method).toBeInstanceOf(CompressionError);
      expect(err).toMatchObject({ reason: 'oversize', message: expect.stringContaining(`${method}: decompresses to more than the limit of ${MB} bytes`) });
      // Decoding it all would have taken 64-256 MB; lzma may run one input slice (≤ ~4 MB) past the cap.
      expect(process.memoryUsage().arrayBuffers - before, method).toBeLessThan(16 * MB);
    }
  });

  it('still decode concatenated streams below the limit, as Python does', async () => {
    const xz = await lzma.compress(Buffer.from('ab'), { preset: 6 });
    const bz = Buffer.from(compressjs.Bzip2.compressFile(Buffer.from('cd'), null, 9));
    expect(Buffer.from(await decompress(Buffer.concat([xz, xz, Buffer.from('lzma')]), 4)).toString()).toBe('abab');
    expect(Buffer.from(await decompress(Buffer.concat([bz, bz, Buffer.from('bzip2')]), 4)).toString()).toBe('cdcd');
    await expect(Promise.resolve().then(() => decompress(Buffer.concat([bz, bz, bz, Buffer.from('bzip2')]), 4))).rejects.toMatchObject({ reason: 'oversize' });
  });

  it('a node refuses each bomb with a clear error and keeps the connection', async () => {
    const all = await bombs();
    const a = await startNode({ id: 'node-A', maxMessageSize: MB });
    nodes.push(a);
    const connected = next(a, 'inbound-node-connected');
    const b = await RawPeer.connect(a.port);
    b.write('node-B:1');
    await connected;
    const errors = next(a, 'message-error', 3);
    const msg = next(a, 'node-message');
    for (const method of COMPRESSIONS) b.write(Buffer.concat([Buffer.from(all[method].toString('base64')), Buffer.from([0x02, 0x04])]));
    b.write('still here\x04');
    const got = await errors;
    expect(got.map((e) => e.reason)).toEqual(['oversize', 'oversize', 'oversize']);
    expect(got.map((e) => e.error.split(':')[0])).toEqual([...COMPRESSIONS]);
    expect((await msg)[0].data).toBe('still here');
    expect(a.messageCount.errors).toBe(3);
    expect(a.allNodes).toHaveLength(1);
    b.socket.destroy();
  });
});

describe('compression between two nodes', () => {
  for (const framing of ['eot', 'length'] as const) {
    it(`sends each compression in order (${framing} framing)`, async () => {
      const a = await startNode({ framing });
      const b = await startNode({ framing });
      nodes.push(a, b);
      const inbound = next(b, 'inbound-node-connected');
      const ab = await a.connectWithNode('127.0.0.1', b.port);
      await inbound;
      const msgs = next(b, 'node-message', 5);
      a.sendToNode(ab, { n: 1 }, { compression: 'lzma' });
      a.sendToNode(ab, { n: 2 }, { compression: 'zlib' });
      a.sendToNode(ab, { n: 3 }, { compression: 'bzip2' });
      a.sendToNode(ab, { n: 4 });
      a.sendToNode(ab, 'x'.repeat(10_000), { compression: 'lzma' });
      expect((await msgs).map((m) => m.data)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }, 'x'.repeat(10_000)]);
    });
  }
});
