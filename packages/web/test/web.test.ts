// The page in a real browser (Debian's chromium via playwright-core) against a monitor on a loopback
// simnet: peers and charts appear, a new block arrives without reload, peer strings stay text.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bitcoin } from '@peerscope/bitcoin';
import { createMonitor, type Monitor } from '@peerscope/engine';
import { createRun, openHistory, Recorder, type Sql } from '@peerscope/history';
import { startBitcoinSimnet, type BitcoinSimnet } from '@peerscope/simnet';
import { startWeb, type WebServer } from '../src/index.js';

const CHROMIUM = '/usr/bin/chromium';
const HOSTILE_AGENT = '<img src=x onerror="window.__pwned=1">';

describe('web: the live page in chromium', () => {
  let simnet: BitcoinSimnet;
  let monitor: Monitor;
  let web: WebServer;
  let browser: Browser;
  let sql: Sql;
  let recorder: Recorder;
  let dir: string;
  let runId: number;
  beforeAll(async () => {
    if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'peerscope-web-'));
    simnet = await startBitcoinSimnet({ peers: 8, baseHost: '127.73.0.1', userAgents: ['/Satoshi:27.0.0/', HOSTILE_AGENT, '/btcd:0.24.0/'] });
    await simnet.mine();
    monitor = createMonitor({
      ...bitcoin({ network: 'regtest', pingIntervalMs: 1_000 }), seeds: [simnet.addresses[0]], target: 6, threads: 0, intervalMs: 300, allow: ['127.0.0.0/8'],
    });
    sql = await openHistory(path.join(dir, 'h.db'));
    runId = await createRun(sql, { command: 'test', vantage: 'web', network: 'regtest' });
    recorder = new Recorder(sql, runId, monitor);
    web = await startWeb({ host: '127.0.0.1', port: 0, title: 'bitcoin regtest (test)', live: monitor, history: { sql, runId } });
    await monitor.start();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await web?.close();
    await monitor?.stop();
    await recorder?.done;
    await sql?.close();
    await simnet?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('shows the summary, the peers and the charts; a new block arrives without reload; peer strings stay text', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(web.url);
    await page.waitForFunction(() => document.querySelectorAll('#peers tbody tr.ready').length === 6, undefined, { timeout: 15_000 });
    const before = simnet.height();
    await expect.poll(() => page.textContent('#summary')).toContain(`height ${before} `);
    expect(await page.locator('#chart-peers canvas').count()).toBe(1);
    expect(await page.locator('#chart-height canvas').count()).toBe(1);
    expect(await page.locator('#chart-traffic canvas').count()).toBe(1);
    expect(await page.locator('#chart-failed canvas').count()).toBe(1);

    // The hostile agent is text in its cell, never an element, and its handler never ran.
    const cells = await page.locator('#peers tbody td', { hasText: HOSTILE_AGENT }).count();
    expect(cells).toBeGreaterThan(0);
    expect(await page.locator('#peers img, .bars img').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();

    // A block mined now reaches the open page over server-sent events.
    await simnet.mine();
    await expect.poll(() => page.textContent('#summary'), { timeout: 10_000 }).toContain(`height ${before + 1} `);
    await expect.poll(() => page.locator('#blocks tbody tr').count(), { timeout: 10_000 }).toBeGreaterThan(0);

    // Filter and sort.
    await page.fill('#filter', 'btcd');
    const filtered = await page.locator('#peers tbody tr').allTextContents();
    expect(filtered.length).toBeGreaterThan(0);
    expect(filtered.every((t) => t.includes('/btcd:0.24.0/'))).toBe(true);
    await page.fill('#filter', '');
    await page.click('#peers th[data-key="address"]');
    const addresses = await page.locator('#peers tbody tr td:first-child').allTextContents();
    expect(addresses).toEqual([...addresses].sort());

    if (process.env.PEERSCOPE_SCREENSHOT) await page.screenshot({ path: process.env.PEERSCOPE_SCREENSHOT, fullPage: true });
    // Every request went to peerscope itself: no CDN.
    expect(requests.every((u) => u.startsWith(web.url))).toBe(true);
    const headers = (await fetch(web.url)).headers;
    expect(headers.get('content-security-policy')).toMatch(/default-src 'self'/);
  }, 60_000);

  it('the dashboard of the recorded run (peerscope dashboard): its peers at the last live interval, the charts, ended', async () => {
    await monitor.stop();
    await recorder.done;
    const dashboard = await startWeb({ host: '127.0.0.1', port: 0, title: 'history', history: { sql, runId } });
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      await page.goto(dashboard.url);
      await page.waitForFunction(() => document.querySelectorAll('#peers tbody tr.ready').length === 6, undefined, { timeout: 15_000 });
      expect(await page.textContent('#status')).toMatch(/^ended/);
      expect(await page.textContent('#title')).toContain(`run ${runId} (test regtest, web)`);
      expect(await page.locator('#chart-peers canvas').count()).toBe(1);
      expect(await page.locator('#peers tbody td', { hasText: HOSTILE_AGENT }).count()).toBeGreaterThan(0);
      expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
      await expect.poll(() => page.locator('#blocks tbody tr').count()).toBeGreaterThan(0);
    } finally {
      await dashboard.close();
    }
  }, 60_000);
});
