// The live view as a user sees it: the built CLI on a pseudo-terminal, its output through a real
// terminal emulator (xterm.js headless), at 80×24 and 200×60, with resizes and keys.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startBcoinNode, startBitcoinSimnet, type BcoinNode, type BitcoinSimnet } from '@peerscope/simnet';
import { startOnScreen } from './support/terminal.js';

const HOSTILE_AGENTS = [
  '/clear:\x1b[2J\x1b[H/',
  '/title:\x1b]0;pwned\x07/',
  '/link:\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\/',
  '/c1:\u009b31m\r\nnewline/',
];

describe('the live view on a terminal', () => {
  let simnet: BitcoinSimnet;
  beforeAll(async () => {
    simnet = await startBitcoinSimnet({ peers: 40, baseHost: '127.61.0.1', hostileFraction: 0.15, userAgents: ['/Satoshi:27.0.0/', ...HOSTILE_AGENTS] });
    await simnet.mine();
  });
  afterAll(async () => simnet?.close());

  const monitor = (extra: string[] = []) => ['monitor', 'bitcoin', '--seed', simnet.addresses[0], '--network', 'regtest', '--peers', '30',
    '--interval', '500ms', '--allow', '127.0.0.0/8', ...extra];

  it('fills exactly 80×24 on the alternate screen, redraws in place, follows a resize to 200×60, restores the screen on q', async () => {
    const s = await startOnScreen(monitor(), { columns: 80, rows: 24 });
    await s.see(/peers \d+\/30 ready/);
    expect(s.firstOutputMs()).toBeDefined();
    await s.see(/ready\s+\d+:\d\d/);
    expect(await s.altScreen()).toBe(true);
    let lines = await s.lines();
    expect(lines[0]).toMatch(/^peerscope · bitcoin regtest · \d\d:\d\d:\d\d UTC/);
    expect(lines[23]).toMatch(/^q quit/);
    const header = lines.find((l) => l.startsWith('ADDRESS'))!;
    // The columns that matter most fit 80 columns; the rest wait for a wider terminal.
    for (const h of ['ADDRESS', 'STATE', 'AGENT', 'BEST', 'PING']) expect(header).toContain(h);
    expect(header).not.toContain('TOP IN');
    // Redrawn in place: nothing scrolled into the scrollback.
    expect(s.term.buffer.active.baseY).toBe(0);

    await s.resize(200, 60);
    // Wide enough for the lesser columns too (a failure's long detail may still keep TOP IN out).
    await s.see(/^ADDRESS .*TRIES .*SERV .*LAST .*IN .*OUT/m);
    lines = await s.lines();
    expect(lines).toHaveLength(60);
    expect(lines[59]).toMatch(/^q quit/);
    for (const h of ['SERV', 'IN', 'OUT', 'LAST', 'TRIES']) expect(lines.find((l) => l.startsWith('ADDRESS'))).toContain(h);
    // Core's one-letter service names (NETWORK, WITNESS… → n w …), never cut mid-name.
    expect(await s.text()).toMatch(/ nw\w* /);

    s.press('q');
    expect(await s.exited).toBe(0);
    expect(await s.altScreen()).toBe(false);
    const after = await s.text();
    expect(after).toMatch(/final summary · bitcoin regtest/);
    expect(after).toMatch(/ready: peak \d+, at the end \d+ of 30/);
  });

  it('shows untrusted user agents escaped: no clear-screen, no title change, no link, no raw CR/LF or C1', async () => {
    const s = await startOnScreen(monitor(['--no-color']), { columns: 200, rows: 60 });
    let title = '';
    s.term.onTitleChange((t) => (title = t));
    await s.see('/clear:\\e[2J\\e[H/');
    await s.see('/title:\\e]0;pwned\\a/');
    await s.see('/link:\\e]8;;https://evil.example/\\e\\click\\e]8;;\\e\\/');
    await s.see('/c1:\\x9b31m\\r\\nnewline/');
    const raw = s.raw();
    expect(raw).not.toContain('\x1b]');
    expect(raw).not.toContain('\x1b[2J');
    expect(raw).not.toContain('\u009b');
    expect(title).toBe('');
    // --no-color: no colour codes at all.
    expect(raw).not.toMatch(/\x1b\[(3\d|7)m/);
    s.signal('SIGTERM');
    expect(await s.exited).toBe(0);
    expect(await s.altScreen()).toBe(false);
  });

  it('keys: f shows failed peers only, / filters, s sorts, ? shows the keys, arrows and PgDn scroll', async () => {
    const s = await startOnScreen(monitor(), { columns: 120, rows: 24 });
    await s.see(/[1-9]\d* failed/);
    s.press('f');
    await s.see(/f all ·/);
    await s.see(/failed: /);
    const failedOnly = (await s.lines()).filter((l) => /^127\./.test(l));
    expect(failedOnly.length).toBeGreaterThan(0);
    expect(failedOnly.every((l) => l.includes('failed: '))).toBe(true);
    s.press('f');
    s.press('/');
    s.press('Satoshi\r');
    await s.see(/filter: Satoshi/);
    const filtered = (await s.lines()).filter((l) => /^127\./.test(l));
    expect(filtered.length).toBeGreaterThan(0);
    expect(filtered.every((l) => l.includes('/Satoshi:27.0.0/'))).toBe(true);
    s.press('\x1b');
    s.press('s');
    await s.see(/sort: tries/);
    s.press('<');
    await s.see(/sort: state/);
    s.press('\x1b[6~');
    await s.see(/ (1[0-9]|2[0-9])-\d+ of \d+$/m);
    s.press('\x1b[A');
    s.press('?');
    await s.see(/filter by text/);
    s.press(' ');
    await s.see(/q quit/);
    s.press('\x03');
    expect(await s.exited).toBe(0);
    expect(await s.altScreen()).toBe(false);
  });

  it('colours states on a terminal unless NO_COLOR is set', async () => {
    const s = await startOnScreen(monitor(['--duration', '2s']), { columns: 120, rows: 30 });
    await s.see(/ready\s+\d+:\d\d/);
    expect(s.raw()).toMatch(/\x1b\[32mready/);
    expect(await s.exited).toBe(0);
    const n = await startOnScreen(monitor(['--duration', '2s']), { columns: 120, rows: 30 }, { NO_COLOR: '1' });
    await n.see(/ready\s+\d+:\d\d/);
    expect(await n.exited).toBe(0);
    expect(n.raw()).not.toMatch(/\x1b\[(3\d|7)m/);
  });
});

describe('the live view tells the user what to do', () => {
  let node: BcoinNode;
  beforeAll(async () => {
    node = await startBcoinNode({ host: '127.0.0.62', port: await freePort('127.0.0.62', true) });
  });
  afterAll(async () => node?.close());

  it('no seed and no DNS seed: says so, and keeps saying it across redraws', async () => {
    const s = await startOnScreen(['monitor', 'bitcoin', '--network', 'regtest', '--interval', '200ms'], { columns: 100, rows: 20 });
    // Something on screen at once, before the first interval.
    await s.see(/peerscope · bitcoin regtest/);
    await s.see('! no DNS seed answered; pass --seed host:port');
    const firstUp = await s.text();
    await s.see(new RegExp(`up 0:0[1-9]`));
    expect(await s.text()).toContain('! no DNS seed answered; pass --seed host:port');
    expect(firstUp).toContain('(no peers yet)');
    s.press('q');
    expect(await s.exited).toBe(3);
    expect(s.stderr()).toBe('');
  });

  it('a node of another network: names the network and the flag to pass', async () => {
    // A bcoin regtest node, and the user forgot --network regtest (mainnet is the default).
    const s = await startOnScreen(['monitor', 'bitcoin', '--seed', `${node.host}:${node.port}`, '--interval', '300ms', '--duration', '3s'], { columns: 120, rows: 24 });
    await s.see('! a peer speaks regtest; try --network regtest');
    await s.see(/failed: bad-magic \(peer speaks/);
    expect(await s.exited).toBe(3);
    // The final summary says it too (cut at the terminal's width; --json has all of it).
    expect(await s.text()).toMatch(/^127\.0\.0\.62:\d+ +2 +no .*failed: bad-magic \(peer speaks regtest; try --network regtest/m);
  });
});
