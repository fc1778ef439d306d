// /metrics of a real monitor on a loopback simnet: what it says, promtool accepts it, and a real
// Prometheus server scrapes it and answers a PromQL query for the ready peers.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bitcoin } from '@peerscope/bitcoin';
import { createMonitor, type Monitor } from '@peerscope/engine';
import { freePort, startBitcoinSimnet, type BitcoinSimnet } from '@peerscope/simnet';
import { parseListen, startMetrics } from '../src/index.js';

const run = promisify(execFile);

function need(tool: string, pkg: string): string {
  for (const dir of (process.env.PATH ?? '').split(':')) if (fs.existsSync(path.join(dir, tool))) return path.join(dir, tool);
  throw new Error(`${tool} is missing: apt-get install -y ${pkg}`);
}

describe('metrics: a monitor as Prometheus sees it', () => {
  let simnet: BitcoinSimnet;
  let monitor: Monitor;
  let served: Awaited<ReturnType<typeof startMetrics>>;
  beforeAll(async () => {
    simnet = await startBitcoinSimnet({ peers: 10, baseHost: '127.72.0.1', hostileFraction: 0.3 });
    await simnet.mine();
    monitor = createMonitor({
      ...bitcoin({ network: 'regtest', pingIntervalMs: 1_000 }), seeds: [simnet.addresses[0]], target: 5, threads: 0, intervalMs: 200, allow: ['127.0.0.0/8'],
    });
    served = await startMetrics(monitor, { protocol: 'bitcoin', network: 'regtest', host: '127.0.0.1', port: 0, perPeer: true });
    await monitor.start();
    await new Promise((r) => setTimeout(r, 2_500));
  });
  afterAll(async () => {
    await served?.close();
    await monitor?.stop();
    await simnet?.close();
  });

  it('binds to loopback unless a host is named', () => {
    expect(parseListen('9464')).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(parseListen('0.0.0.0:9464')).toEqual({ host: '0.0.0.0', port: 9464 });
    expect(parseListen('[::1]:80')).toEqual({ host: '::1', port: 80 });
    expect(() => parseListen('host:port')).toThrow(/not \[HOST:\]PORT/);
    expect(served.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('says ready and target peers, consensus, handshakes, failures, traffic by command and RTT, per protocol and network', async () => {
    const res = await fetch(`${served.url}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    const value = (series: string) => Number(new RegExp(`^${series.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1]);
    expect(value('peerscope_peers{state="ready",protocol="bitcoin",network="regtest"}')).toBe(5);
    expect(value('peerscope_peers_target{protocol="bitcoin",network="regtest"}')).toBe(5);
    expect(value('peerscope_consensus_height{protocol="bitcoin",network="regtest"}')).toBe(simnet.height());
    expect(value('peerscope_handshakes_total{result="succeeded",protocol="bitcoin",network="regtest"}')).toBeGreaterThanOrEqual(5);
    expect(text).toMatch(/^peerscope_failures_total\{reason="[a-z-]+",protocol="bitcoin",network="regtest"\} [1-9]/m);
    expect(value('peerscope_messages_total{direction="in",command="version",protocol="bitcoin",network="regtest"}')).toBeGreaterThanOrEqual(5);
    expect(value('peerscope_bytes_total{direction="out",command="ping",protocol="bitcoin",network="regtest"}')).toBeGreaterThan(0);
    expect(value('peerscope_rtt_seconds_count{protocol="bitcoin",network="regtest"}')).toBeGreaterThan(0);
    expect(text).toMatch(/^peerscope_peer_rtt_seconds\{address="127\.72\.\d+\.\d+:\d+"/m);
    expect((await fetch(`${served.url}/other`)).status).toBe(404);
    expect((await fetch(`${served.url}/metrics`, { method: 'POST' })).status).toBe(405);
  });

  it('promtool check metrics accepts the exposition', async () => {
    const promtool = need('promtool', 'prometheus');
    const text = await (await fetch(`${served.url}/metrics`)).text();
    const child = spawn(promtool, ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.stdin.end(text);
    const code = await new Promise((r) => child.on('close', r));
    expect(out).toBe('');
    expect(code).toBe(0);
  });

  it('a real Prometheus server scrapes it and answers a PromQL query for the ready peers', async () => {
    const prometheus = need('prometheus', 'prometheus');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'peerscope-prometheus-'));
    const port = await freePort();
    fs.writeFileSync(path.join(dir, 'prometheus.yml'), [
      'global: { scrape_interval: 1s, evaluation_interval: 1s }',
      'scrape_configs:',
      '  - job_name: peerscope',
      `    static_configs: [{ targets: ["${new URL(served.url).host}"] }]`,
    ].join('\n'));
    let server: ChildProcess | undefined;
    let log = '';
    try {
      server = spawn(prometheus, [
        `--config.file=${path.join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`,
      ], { stdio: ['ignore', 'pipe', 'pipe'] });
      server.stderr!.on('data', (d) => (log += d));
      const query = 'sum by (network) (peerscope_peers{job="peerscope",state="ready"})';
      const deadline = Date.now() + 25_000;
      let result: { metric: Record<string, string>; value: [number, string] }[] = [];
      while (Date.now() < deadline) {
        try {
          const body = await (await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(query)}`)).json() as { data?: { result: typeof result } };
          result = body.data?.result ?? [];
          if (result.length > 0) break;
        } catch { /* not up yet */ }
        await new Promise((r) => setTimeout(r, 500));
      }
      expect(result, log.slice(-2000)).toHaveLength(1);
      expect(result[0].metric).toEqual({ network: 'regtest' });
      expect(result[0].value[1]).toBe('5');
    } finally {
      server?.kill('SIGTERM');
      if (server && server.exitCode === null) await new Promise((r) => server!.once('close', r));
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 40_000);
});
