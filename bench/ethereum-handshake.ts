/**
 * RLPx + Hello handshakes per second: peerscope against @ethereumjs/devp2p 10, both dialling the same
 * loopback server in the same run, one at a time and sixteen at a time.
 *
 * From the repository root: node --import tsx --conditions=source bench/ethereum-handshake.ts
 * (env SECONDS: seconds per row, default 4).
 *
 * The server runs in a child process (its own core) and is peerscope's inbound codec: it answers
 * auth with ack and Hello (eth/68), and Status after a Hello. A client's handshake counts when it
 * has the server's Hello (ethereumjs: its Peer's 'connect' event), then it closes the socket.
 * "peerscope (engine)" is the full runPeer path through Status ↔ Status, for reference.
 *
 * Two anchors. "one server key": every handshake redials one server with one node key, so our
 * static-static ECDH secret and the imported remote key are cached after the first (crypto.ts,
 * KeyPair.ecdhStatic and publicKeyObject), on both sides. "fresh remote key": every handshake meets a
 * node key never seen before, as when a monitor dials many peers once each: in-flight slot k dials its
 * own port k, whose key the server replaces on every accepted connection and announces on the child's
 * stdout before the slot's next dial. The static-static secret is computed anew on both sides and the
 * client imports every server key anew; the client's own node key (long-lived) and the ephemeral keys
 * made ahead in idle turns are as in real use.
 * Writes bench/results/ethereum-handshake.md.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
// The engine's single-connection runner, from its entry point for protocol authors.
import { erase, runPeer } from '../packages/engine/src/protocol-api.js';
import { hex } from '../packages/ethereum/src/bytes.js';
import { EthCodec } from '../packages/ethereum/src/codec.js';
import { ethConfig } from '../packages/ethereum/src/config.js';
import { ourHello, ourStatus } from '../packages/ethereum/src/handshake.js';
import ethereum from '../packages/ethereum/src/protocol.js';
import type { EthMessage } from '../packages/ethereum/src/messages.js';
import { NETWORKS } from '../packages/ethereum/src/eth/networks.js';
import { KeyPair, nodeKey } from '../packages/ethereum/src/rlpx/crypto.js';

const here = dirname(fileURLToPath(import.meta.url));
const DEFAULT_SECONDS = 4;
const SECONDS = Number(process.env.SECONDS ?? DEFAULT_SECONDS);
const CONCURRENCY = 16;
const ROUNDS = 3;
const FRESH_OURS = 'peerscope (codec), fresh remote key';
const FRESH_THEIRS = '@ethereumjs/devp2p 10.0.0, fresh remote key';
// Mainnet up to Prague: what @ethereumjs/common 10.0.0 can validate.
const chain = { ...NETWORKS.mainnet, forkTimes: NETWORKS.mainnet.forkTimes.slice(0, 3), bootnodes: [] };

if (process.argv.includes('--server')) {
  serve();
} else {
  await main();
}

function serve(): void {
  const config = ethConfig({ network: chain });
  const fixed = net.createServer((socket) => answer(socket, config));
  // Fresh-key listeners: slot k's port serves key k until a connection arrives, then takes a new one.
  const fresh = Array.from({ length: CONCURRENCY }, (_, slot) => {
    let current = freshKey();
    const server = net.createServer((socket) => {
      const used = current;
      current = freshKey();
      process.stdout.write(JSON.stringify({ slot, id: current.id }) + '\n');
      answer(socket, { ...config, privateKey: used.privateKey });
    });
    return { server, key: () => current };
  });
  const listening = [fixed, ...fresh.map((f) => f.server)].map(
    (server) => new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port))),
  );
  void Promise.all(listening).then(([port, ...ports]) => {
    const id = ourHello(config).nodeId;
    process.stdout.write(JSON.stringify({ port, id, fresh: ports.map((p, slot) => ({ port: p, id: fresh[slot].key().id })) }) + '\n');
  });
}

function freshKey(): { privateKey: string; id: string } {
  const privateKey = hex(new Uint8Array(randomBytes(32)));
  return { privateKey, id: hex(nodeKey(privateKey).id) };
}

function answer(socket: net.Socket, config: ReturnType<typeof ethConfig>): void {
  socket.setNoDelay(true);
  socket.on('error', () => {});
  const codec = new EthCodec(config, 'inbound');
  const send = (m: EthMessage) => socket.write(codec.encode(m).bytes);
  socket.on('data', (chunk) => {
    let messages;
    try {
      messages = codec.decode(chunk);
    } catch {
      socket.destroy();
      return;
    }
    for (const { message } of messages) {
      if (message.type === 'auth') {
        send({ type: 'ack' });
        send({ type: 'hello', hello: ourHello(config) });
      } else if (message.type === 'hello') {
        send({ type: 'status', status: ourStatus(config, 68) });
      } else if (message.type === 'ping') {
        send({ type: 'pong' });
      }
    }
  });
}

interface Target { port: number; id: string }
type Dialler = (target: Target) => Promise<void>;

/** Where in-flight slot `slot` dials next, and what it waits for after a dial. */
interface Targets {
  take(slot: number): Target;
  release(slot: number, used: Target): Promise<void>;
}

function oneKey(target: Target): Targets {
  return { take: () => target, release: async () => {} };
}

/** Slot k dials port k; after each dial it waits for the server's next key for that port. */
function freshKeys(ports: Target[]): Targets & { announce(slot: number, id: string): void } {
  const current = ports.map((t) => ({ ...t }));
  const waiting = new Map<number, () => void>();
  return {
    announce: (slot, id) => {
      current[slot] = { port: current[slot].port, id };
      waiting.get(slot)?.();
    },
    take: (slot) => current[slot],
    release: (slot, used) => {
      if (current[slot].id !== used.id) return Promise.resolve();
      // A dial that never connected consumed no key: after 2 s the same key is dialled again.
      return new Promise<void>((resolve) => {
        const timer = setTimeout(done, 2_000);
        function done() {
          clearTimeout(timer);
          waiting.delete(slot);
          resolve();
        }
        waiting.set(slot, done);
      });
    },
  };
}

async function main(): Promise<void> {
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--server'], { stdio: ['ignore', 'pipe', 'inherit'] });
  process.once('exit', () => child.kill()); // also when main throws
  // The first line names the ports and keys; every later one is a fresh-key port's next key.
  let fresh: ReturnType<typeof freshKeys> | undefined;
  const target = await new Promise<Target>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const m = JSON.parse(line) as Target & { fresh?: Target[]; slot?: number };
      if (m.fresh) {
        fresh = freshKeys(m.fresh);
        resolve(m);
      } else fresh!.announce(m.slot!, m.id);
    });
    child.once('exit', (code) => reject(new Error(`server exited ${code}`)));
  });
  const one = oneKey(target);
  try {
    const ours = peerscopeDialler();
    const engine = engineDialler();
    const theirs = await ethereumjsDialler();
    // Warm up JITs and caches on both sides.
    await measure(ours, one, 1, 1);
    await measure(theirs, one, 1, 1);
    await measure(ours, fresh!, 1, 0.3);
    await measure(theirs, fresh!, 1, 0.3);
    // Interleaved rounds, so a change in machine load affects every client alike.
    const clients: Array<[string, Dialler, Targets]> = [
      ['peerscope (codec)', ours, one], ['@ethereumjs/devp2p 10.0.0', theirs, one], ['peerscope (engine, through Status)', engine, one],
      [FRESH_OURS, ours, fresh!], [FRESH_THEIRS, theirs, fresh!],
    ];
    const rows: Array<[string, number, Result]> = [];
    for (const concurrency of [1, CONCURRENCY]) {
      const totals = clients.map(() => ({ perSecond: 0, count: 0, cpuMsEach: 0, errors: 0, seconds: 0, cpuMs: 0 }));
      for (let round = 0; round < ROUNDS; round++) {
        for (const [i, [, dial, targets]] of clients.entries()) {
          const r = await measure(dial, targets, concurrency, SECONDS / ROUNDS);
          const t = totals[i];
          t.count += r.count;
          t.errors += r.errors;
          t.seconds += r.count / r.perSecond || SECONDS / ROUNDS;
          t.cpuMs += r.cpuMsEach * r.count;
        }
      }
      clients.forEach(([name], i) => {
        const t = totals[i];
        rows.push([name, concurrency, { perSecond: t.count / t.seconds, count: t.count, cpuMsEach: t.count ? t.cpuMs / t.count : 0, errors: t.errors }]);
      });
    }
    report(rows);
  } finally {
    child.kill();
  }
}

interface Result { perSecond: number; count: number; cpuMsEach: number; errors: number }

async function measure(dial: Dialler, targets: Targets, concurrency: number, seconds: number): Promise<Result> {
  const deadline = performance.now() + seconds * 1000;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let count = 0;
  let errors = 0;
  await Promise.all(Array.from({ length: concurrency }, async (_, slot) => {
    while (performance.now() < deadline) {
      const target = targets.take(slot);
      try {
        await dial(target);
        count++;
      } catch {
        errors++;
      }
      await targets.release(slot, target);
    }
  }));
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { perSecond: count / elapsed, count, cpuMsEach: count ? (cpu.user + cpu.system) / 1000 / count : 0, errors };
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => resolve(socket));
    socket.setNoDelay(true);
    socket.once('error', reject);
  });
}

function peerscopeDialler(): Dialler {
  const config = ethConfig({ network: chain });
  const hello = ourHello(config);
  return async (target) => {
    const socket = await connect(target.port);
    const codec = new EthCodec(config, 'outbound');
    try {
      await new Promise<void>((resolve, reject) => {
        socket.on('error', reject);
        socket.on('close', () => reject(new Error('closed')));
        socket.on('data', (chunk) => {
          try {
            for (const { message } of codec.decode(chunk)) {
              if (message.type === 'ack') socket.write(codec.encode({ type: 'hello', hello }).bytes);
              else if (message.type === 'hello') resolve();
            }
          } catch (err) {
            reject(err);
          }
        });
        socket.write(codec.encode({ type: 'auth', remoteId: target.id }).bytes);
      });
    } finally {
      socket.destroy();
    }
  };
}

function engineDialler(): Dialler {
  let n = 0;
  const base = ethConfig({ network: chain, pingIntervalMs: 3_600_000 });
  const protocol = erase(ethereum);
  return (target) => {
    return new Promise<void>((resolve, reject) => {
      const run = runPeer({
        id: `b${n++}`, host: '127.0.0.1', port: target.port, key: target.id, protocol, config: base,
        onEvent: (e) => {
          if (e.type === 'handshake') {
            run.stop();
            resolve();
          }
        },
      });
      void run.done.then((end) => reject(new Error(end.reason)));
    });
  };
}

async function ethereumjsDialler(): Promise<Dialler> {
  // Resolved from packages/ethereum, which declares @ethereumjs/devp2p as a devDependency.
  const req = createRequire(join(here, '../packages/ethereum/package.json'));
  const { Peer, ETH } = req('@ethereumjs/devp2p');
  const { Common, Mainnet, Hardfork } = req('@ethereumjs/common');
  const common = new Common({ chain: Mainnet, hardfork: Hardfork.Prague });
  const privateKey = new Uint8Array(randomBytes(32));
  const id = KeyPair.fromPrivate(privateKey).id; // once per run, as its RLPx does
  const clientId = new TextEncoder().encode('ethereumjs-bench');
  return async (target) => {
    const socket = await connect(target.port);
    try {
      await new Promise<void>((resolve, reject) => {
        socket.on('error', reject);
        const peer = new Peer({
          socket, remoteId: Buffer.from(target.id, 'hex'), privateKey, id, timeout: 10_000, clientId,
          capabilities: [ETH.eth68], common, port: null, EIP8: true,
        });
        peer.events.on('error', reject);
        peer.events.once('connect', () => resolve());
        socket.once('close', () => reject(new Error('closed')));
      });
    } finally {
      socket.destroy();
    }
  };
}

function report(rows: Array<[string, number, Result]>): void {
  const row = (name: string, c: number) => rows.find((r) => r[0] === name && r[1] === c)![2];
  const ratio = (ours: string, theirs: string, c: number) => (row(ours, c).perSecond / row(theirs, c).perSecond).toFixed(2);
  const cpu = (name: string, c: number) => row(name, c).cpuMsEach.toFixed(2);
  const lines = [
    '# Ethereum RLPx + Hello handshakes per second',
    '',
    `Command, from the repository root: \`node --import tsx --conditions=source bench/ethereum-handshake.ts\` (${SECONDS} s per row, in ${ROUNDS} interleaved rounds)`,
    `Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}. Server: peerscope inbound codec in a child process, loopback.`,
    '',
    '| client | in flight | handshakes/s | handshakes | client CPU ms each | errors |',
    '|---|---:|---:|---:|---:|---:|',
    ...rows.map(([name, c, r]) => `| ${name} | ${c} | ${r.perSecond.toFixed(1)} | ${r.count} | ${r.cpuMsEach.toFixed(2)} | ${r.errors} |`),
    '',
    `Ratio peerscope/ethereumjs, one server key: ${ratio('peerscope (codec)', '@ethereumjs/devp2p 10.0.0', 1)}× one at a time, ` +
      `${ratio('peerscope (codec)', '@ethereumjs/devp2p 10.0.0', CONCURRENCY)}× ${CONCURRENCY} at a time (target ≥ 2×).`,
    `Ratio peerscope/ethereumjs, fresh remote key: ${ratio(FRESH_OURS, FRESH_THEIRS, 1)}× one at a time, ` +
      `${ratio(FRESH_OURS, FRESH_THEIRS, CONCURRENCY)}× ${CONCURRENCY} at a time. Cost of the fresh key to peerscope: ` +
      `${cpu(FRESH_OURS, 1)} vs ${cpu('peerscope (codec)', 1)} client CPU ms per handshake one at a time.`,
    '',
    'Anchors. "One server key": every handshake redials one server with one node key. peerscope remembers',
    'the static-static ECDH secret per remote node key and keeps imported remote keys (rlpx/crypto.ts:',
    'KeyPair.ecdhStatic, publicKeyObject), so each side of ours does that work once for the whole run.',
    '"Fresh remote key": in-flight slot k dials its own server port, whose node key the server replaces on',
    'every accepted connection and announces before the slot\'s next dial, so every handshake meets a key never',
    'seen: the static-static secret is computed anew on both sides and the client imports every server key,',
    'as when a monitor dials many peers once each. This is the anchor for a real network. In both rows the',
    'client\'s own node key is long-lived, as in real use.',
    '',
    'Why faster: peerscope does ECDH and key generation with node:crypto (OpenSSL) and only the recoverable',
    'signature and its recovery with @noble/curves; @ethereumjs/devp2p does all secp256k1 work in pure JavaScript.',
    'peerscope also makes ephemeral keys ahead in idle turns, and as recipient writes the ack before recovering',
    'the initiator\'s ephemeral key, overlapping the two sides\' work.',
    'Client CPU is the dialling process only; the server\'s is not counted. Other processes shared the 2 cores.',
    '',
  ];
  process.stdout.write(lines.join('\n'));
  if (SECONDS < DEFAULT_SECONDS) {
    process.stdout.write(`\n(short run, SECONDS=${SECONDS} < ${DEFAULT_SECONDS}: bench/results/ethereum-handshake.md left as it was)\n`);
    return;
  }
  const out = join(here, 'results', 'ethereum-handshake.md');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, lines.join('\n'));
}
