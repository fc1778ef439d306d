import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import dns from 'node:dns';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { acknowledgeLoopbackRefusals } from './support/loopback.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

describe('loopback guard', () => {
  // These tests provoke refusals on purpose; setup.ts would fail them otherwise.
  afterEach(() => acknowledgeLoopbackRefusals());

  it('refuses a TCP connect beyond loopback', () => {
    expect(() => net.connect(8333, '1.2.3.4')).toThrow(/loopback guard/);
    expect(() => net.connect({ host: '10.0.0.1', port: 80 })).toThrow(/loopback guard/);
  });
  it('refuses DNS lookups of public names', async () => {
    expect(() => dns.lookup('seed.bitcoin.sipa.be', () => {})).toThrow(/loopback guard/);
    await expect(dns.promises.lookup('example.com')).rejects.toThrow(/loopback guard/);
    await expect(dns.promises.resolve4('example.com')).rejects.toThrow(/loopback guard/);
  });
  it('refuses a UDP send beyond loopback', () => {
    const socket = dgram.createSocket('udp4');
    try {
      expect(() => socket.send(Buffer.from('x'), 30303, '8.8.8.8')).toThrow(/loopback guard/);
    } finally {
      socket.close();
    }
  });
  it('lets loopback through', async () => {
    const server = net.createServer((s) => s.end('ok'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as net.AddressInfo;
    const text = await new Promise<string>((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1');
      let data = '';
      s.on('data', (d) => (data += d)).on('end', () => resolve(data)).on('error', reject);
    });
    server.close();
    expect(text).toBe('ok');
  });
});

type Report = { testResults: { assertionResults: { title: string; status: string; failureMessages: string[] }[] }[] };

describe('a test that dials beyond loopback', () => {
  it('is reported as failed even when the code under test swallowed the error (process, worker thread, CLI child)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'peerscope-offender-'));
    try {
      const report = path.join(dir, 'report.json');
      // A clean environment for the inner run: its own violations file, and no CI report to overwrite.
      const env = Object.fromEntries(
        Object.entries(process.env).filter(([k]) => !/^(VITEST|PEERSCOPE_TEST_REPORT$|PEERSCOPE_LOOPBACK_VIOLATIONS$|NODE_OPTIONS$)/.test(k)),
      );
      const child = spawn(
        process.execPath,
        [path.join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', '--config', 'test/fixtures/loopback-offender/vitest.config.ts', '--outputFile', report],
        { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] },
      );
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      const code = await new Promise<number | null>((r) => child.on('close', r));
      expect(code, stderr).toBe(1);

      const results = (JSON.parse(readFileSync(report, 'utf8')) as Report).testResults.flatMap((f) => f.assertionResults);
      const outcome = Object.fromEntries(results.map((t) => [t.title, t.status]));
      expect(outcome).toEqual({
        'offends in process': 'failed',
        'offends in a worker thread': 'failed',
        'offends in a child process': 'failed',
        'keeps a learned address without dialling it': 'passed',
        'acknowledges refusals it meant to provoke': 'passed',
      });
      for (const t of results.filter((r) => r.status === 'failed')) {
        expect(t.failureMessages.join('\n')).toMatch(/this test tried to leave loopback \(1 refused\):\n\s+loopback guard: TCP connect to 192\.0\.2\.1 refused/);
      }
      // The worker thread's line names its thread; the child's names another process.
      const byTitle = (title: string) => results.find((r) => r.title === title)!.failureMessages.join('\n');
      expect(byTitle('offends in a worker thread')).toMatch(/\[pid \d+ thread \d+\]/);
      const pid = (text: string) => /\[pid (\d+)/.exec(text)![1];
      expect(pid(byTitle('offends in a child process'))).not.toBe(pid(byTitle('offends in process')));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
