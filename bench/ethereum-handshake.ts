/**
 * RLPx + Hello handshakes per second: peerscope against @ethereumjs/devp2p 10, both dialling the same
 * loopback server in the same run, one at a time and sixteen at a time.
 *
 *   cd /work/main && node --import tsx --conditions=source bench/ethereum-handshake.ts
 *
 * The server runs in a child process (its own core) and is peerscope's inbound codec: it answers
 * auth with ack and Hello (eth/68), and Status after a Hello. A client's handshake counts when it
 * has the server's Hello (ethereumjs: its Peer's 'connect' event), then it closes the socket.
 * "peerscope (engine)" is the full runPeer path through Status ↔ Status, for reference.
 * Writes bench/results/ethereum-handshake.md.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runPeer } from '../packages/engine/src/index.js';
import { EthCodec } from '../packages/ethereum/src/codec.js';
import { ethConfig } from '../packages/ethereum/src/config.js';
import { ourHello, ourStatus } from '../packages/ethereum/src/handshake.js';
import ethereum from '../packages/ethereum/src/protocol.js';
import type { EthMessage } from '../packages/ethereum/src/messages.js';
import { NETWORKS } from '../packages/ethereum/src/eth/networks.js';
import { KeyPair } from '../packages/ethereum/src/rlpx/crypto.js';

const here = dirname(fileURLToPath(import.meta.url));
const SECONDS = Number(process.env.SECONDS ?? 4);
const CONCURRENCY = 16;
const ROUNDS = 3;
// Mainnet up to Prague: what @ethereumjs/common 10.0.0 can validate.
const chain = { ...NETWORKS.mainnet, forkTimes: NETWORKS.mainnet.forkTimes.slice(0, 3), bootnodes: [] };

if (process.argv.includes('--server')) {
  serve();
} else {
  await main();
}

function serve(): void {
  const config = ethConfig({ network: chain });
  const server = net.createServer((socket) => {
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
  });
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as net.AddressInfo;
    const id = ourHello(config).nodeId;
    process.stdout.write(JSON.stringify({ port, id }) + '\n');
  });
}

interface Target { port: number; id: string }
type Dialler = (target: Target) => Promise<void>;

async function main(): Promise<void> {
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--server'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const target = await new Promise<Target>((resolve, reject) => {
    child.stdout!.once('data', (d) => resolve(JSON.parse(String(d).split('\n')[0])));
    child.once('exit', (code) => reject(new Error(`server exited ${code}`)));
  });
  try {
    const ours = peerscopeDialler();
    const engine = engineDialler();
    const theirs = await ethereumjsDialler();
    // Warm up JITs and caches on both sides.
    await measure(ours, target, 1, 1);
    await measure(theirs, target, 1, 1);
    // Interleaved rounds, so a change in machine load affects every client alike.
    const clients: Array<[string, Dialler]> = [
      ['peerscope (codec)', ours], ['@ethereumjs/devp2p 10.0.0', theirs], ['peerscope (engine, through Status)', engine],
    ];
    const rows: Array<[string, number, Result]> = [];
    for (const concurrency of [1, CONCURRENCY]) {
      const totals = clients.map(() => ({ perSecond: 0, count: 0, cpuMsEach: 0, errors: 0, seconds: 0, cpuMs: 0 }));
      for (let round = 0; round < ROUNDS; round++) {
        for (const [i, [, dial]] of clients.entries()) {
          const r = await measure(dial, target, concurrency, SECONDS / ROUNDS);
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

async function measure(dial: Dialler, target: Target, concurrency: number, seconds: number): Promise<Result> {
  const deadline = performance.now() + seconds * 1000;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let count = 0;
  let errors = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < deadline) {
      try {
        await dial(target);
        count++;
      } catch {
        errors++;
      }
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
  return (target) => {
    const config = { ...base, nodeIds: { [`127.0.0.1:${target.port}`]: target.id } };
    return new Promise<void>((resolve, reject) => {
      const run = runPeer({
        id: `b${n++}`, host: '127.0.0.1', port: target.port, protocol: ethereum, config,
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
  const rate = (name: string, c: number) => rows.find((r) => r[0] === name && r[1] === c)![2].perSecond;
  const lines = [
    '# Ethereum RLPx + Hello handshakes per second',
    '',
    `Command: \`cd /work/main && node --import tsx --conditions=source bench/ethereum-handshake.ts\` (${SECONDS} s per row, in ${ROUNDS} interleaved rounds)`,
    `Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}. Server: peerscope inbound codec in a child process, loopback.`,
    '',
    '| client | in flight | handshakes/s | handshakes | client CPU ms each | errors |',
    '|---|---:|---:|---:|---:|---:|',
    ...rows.map(([name, c, r]) => `| ${name} | ${c} | ${r.perSecond.toFixed(1)} | ${r.count} | ${r.cpuMsEach.toFixed(2)} | ${r.errors} |`),
    '',
    `Ratio peerscope/ethereumjs: ${(rate('peerscope (codec)', 1) / rate('@ethereumjs/devp2p 10.0.0', 1)).toFixed(2)}× one at a time, ` +
      `${(rate('peerscope (codec)', CONCURRENCY) / rate('@ethereumjs/devp2p 10.0.0', CONCURRENCY)).toFixed(2)}× ${CONCURRENCY} at a time (target ≥ 2×).`,
    '',
    'Why: peerscope does ECDH and key generation with node:crypto (OpenSSL) and only the recoverable',
    'signature and its recovery with @noble/curves; @ethereumjs/devp2p does all secp256k1 work in pure JavaScript.',
    'peerscope also remembers the static-static ECDH secret per remote node key (both clients here redial one',
    'server with one key, so each side of ours computes it once), makes ephemeral keys ahead in idle turns, and',
    'as recipient writes the ack before recovering the initiator\'s ephemeral key, overlapping the two sides\' work.',
    'Client CPU is the dialling process only; the server\'s is not counted. Other processes shared the 2 cores.',
    '',
  ];
  const out = join(here, 'results', 'ethereum-handshake.md');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, lines.join('\n'));
  process.stdout.write(lines.join('\n'));
}
