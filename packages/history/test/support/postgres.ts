// A throwaway PostgreSQL server for tests: Debian's `postgresql` binaries, initdb + postgres in a temp
// folder on loopback, run as the unprivileged `postgres` user when the test runs as root.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

export interface TestPostgres {
  /** postgres://peerscope@127.0.0.1:PORT/peerscope */
  url: string;
  stop(): Promise<void>;
}

function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root) ? fs.readdirSync(root).filter((v) => fs.existsSync(path.join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a)) : [];
  if (versions.length === 0) throw new Error('PostgreSQL server binaries are missing: apt-get install -y postgresql');
  return path.join(root, versions[0], 'bin');
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const { port } = s.address() as net.AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

export async function startPostgres(): Promise<TestPostgres> {
  const bin = binDir();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'peerscope-pg-'));
  const asRoot = process.getuid?.() === 0;
  const ids = asRoot ? { uid: Number(execFileSync('id', ['-u', 'postgres']).toString()), gid: Number(execFileSync('id', ['-g', 'postgres']).toString()) } : {};
  if (asRoot) fs.chownSync(dir, ids.uid!, ids.gid!);
  const data = path.join(dir, 'data');
  execFileSync(path.join(bin, 'initdb'), ['-D', data, '-U', 'peerscope', '--auth=trust', '--no-sync', '-E', 'UTF8'], { ...ids, stdio: 'pipe', cwd: dir });
  const port = await freePort();
  let log = '';
  const server: ChildProcess = spawn(path.join(bin, 'postgres'), ['-D', data, '-p', String(port), '-h', '127.0.0.1', '-k', dir, '-F', '-c', 'max_connections=50'], {
    ...ids, stdio: ['ignore', 'pipe', 'pipe'], cwd: dir,
  });
  server.stdout!.on('data', (d) => (log += d));
  server.stderr!.on('data', (d) => (log += d));
  const stop = async () => {
    if (server.exitCode === null) {
      server.kill('SIGINT'); // fast shutdown
      await new Promise((r) => server.once('close', r));
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const admin = `postgres://peerscope@127.0.0.1:${port}/postgres`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    const client = new pg.Client(admin);
    try {
      await client.connect();
      await client.query('CREATE DATABASE peerscope');
      await client.end();
      break;
    } catch (err) {
      await client.end().catch(() => {});
      if (Date.now() > deadline || server.exitCode !== null) {
        await stop();
        throw new Error(`PostgreSQL did not start: ${(err as Error).message}\n${log.slice(-2000)}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return { url: `postgres://peerscope@127.0.0.1:${port}/peerscope`, stop };
}
