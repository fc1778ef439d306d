import { RunLedger, type Monitor, type NetworkSnapshot } from '@peerscope/engine';
import { EXIT } from './base-command.js';
import { startOutputs, type OutputSettings } from './outputs.js';
import { Screen } from './screen-driver.js';
import { csvHeader, csvPeerRow, csvSummaryRow } from './views/csv.js';
import { ndjson } from './views/json.js';
import { peerRows, type PeerRow } from './views/rows.js';
import { summaryRecord, summaryText, type SummaryRecord } from './views/summary.js';
import { renderPlain, type ViewContext } from './views/table.js';
import { wantColour } from './views/style.js';

export interface LiveOptions extends ViewContext {
  json: boolean;
  csv?: boolean;
  /** false: --no-color. */
  color?: boolean;
  durationMs?: number;
  out?: NodeJS.WriteStream;
  /** Extra fields for every JSON record (network name…). */
  meta?: Record<string, unknown>;
  /**
   * Whether the user named seeds (false: the protocol's DNS seeds supply them; undefined: something else
   * keeps supplying peers, e.g. discovery, so no dial at start is no problem).
   */
  seeded?: boolean;
  /** What the first screen says until the monitor has started, e.g. "dialling 2 seeds…". */
  startNotice?: string;
  /** History, /metrics and the web page (outputs.ts): the command's parsed flags and its name. */
  outputs?: { settings: OutputSettings; command: string; flags: Record<string, unknown> };
}

/**
 * What the user should do, kept on screen while it applies: peers of another network (the Bitcoin
 * codec's bad-magic detail names it; Ethereum's Status check names the chain).
 */
export function rowNotices(rows: PeerRow[]): string[] {
  const counts = new Map<string, number>();
  for (const r of rows) {
    if (r.state !== 'failed' || !r.detail) continue;
    const speaks = /^peer speaks (\S+); try --network \S+/.exec(r.detail);
    const key = speaks ? speaks[0] : /^other chain: /.test(r.detail) ? r.detail : undefined;
    if (key) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => (k.startsWith('peer speaks')
    ? `${n === 1 ? 'a peer speaks' : `${n} peers speak`} ${k.slice('peer speaks '.length)}`
    : `${n === 1 ? 'a peer is' : `${n} peers are`} on another chain (${k.slice('other chain: '.length)}): check --network`));
}

/**
 * What to say once the monitor has started: nothing dialled means the user must act. DNS seeds that did
 * not answer are one line (nine seeds, one cause), not one line each.
 */
export function startNotices(warnings: readonly string[], active: number, seeded: boolean | undefined): string[] {
  if (active === 0 && seeded === false) {
    const causes = [...new Set(warnings.map((w) => w.replace(/^[^:]*: /, '').replace(/ \S+$/, '')))];
    return [`no DNS seed answered${warnings.length > 0 ? ` (${warnings.length} asked: ${causes.join(', ')})` : ''}; pass --seed host:port`];
  }
  const out = warnings.map((w) => `warning: ${w}`);
  if (active === 0 && seeded === true) out.unshift('no seed could be dialled; check --seed, --allow and --deny');
  return out;
}

/**
 * Runs a monitor until --duration, Ctrl-C/SIGTERM or `q`, showing each snapshot (a live screen on a
 * terminal, text per interval on a pipe, or NDJSON / CSV records); then closes every connection and
 * prints the final summary of the whole run. Sets the exit code (3 when no peer ever became ready) and
 * resolves with the summary.
 */
export async function runLive(monitor: Monitor, options: LiveOptions): Promise<SummaryRecord> {
  const out = options.out ?? process.stdout;
  const write = (text: string) => {
    if (!out.destroyed) out.write(text);
  };
  const ledger = new RunLedger();
  const ledgerSubscription = monitor.events$.subscribe(ledger.apply);
  const mode = options.json ? 'json' : options.csv ? 'csv' : out.isTTY === true ? 'screen' : 'plain';
  const record = ndjson(write);
  const notices: string[] = [];
  /** What the outputs said (where the run is recorded, the page's URL, a write that failed): kept on screen. */
  const outputNotices: string[] = [];
  const stderrNotice = (text: string) => process.stderr.write(`peerscope: ${text}\n`);

  const inputs = (s: NetworkSnapshot) => {
    const rows = peerRows(s, ledger);
    let failedPeers = 0;
    const failures: Record<string, number> = {};
    for (const r of rows) {
      if (r.state !== 'failed') continue;
      failedPeers++;
      failures[r.reason ?? '?'] = (failures[r.reason ?? '?'] ?? 0) + 1;
    }
    return {
      failures,
      snapshot: s, rows, title: options.title, intervalMs: options.intervalMs, extraColumns: options.extraColumns,
      notices: [...notices, ...outputNotices, ...rowNotices(rows)], peersSeen: ledger.peersSeen, peakReady: ledger.readyCounts.peak, failedPeers,
    };
  };

  // Opened before anything is dialled: a database or port that cannot be opened ends the run here (exit 2).
  const outputs = options.outputs && await startOutputs(monitor, options.outputs.settings, {
    command: options.outputs.command, flags: options.outputs.flags, title: options.title, intervalMs: options.intervalMs,
    protocol: String(options.meta?.protocol ?? ''), network: String(options.meta?.network ?? ''), target: monitor.snapshot().target,
    say: (line, kind) => {
      if (mode === 'screen') outputNotices.push(line);
      else if (kind !== 'info' || mode === 'plain') stderrNotice(line);
    },
  }).catch(async (err) => {
    ledgerSubscription.unsubscribe();
    await monitor.stop();
    throw err;
  });

  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const screen = mode === 'screen'
    ? new Screen(out, { colour: wantColour(true, options.color), onQuit: () => finish(), input: process.stdin })
    : undefined;
  let latest: NetworkSnapshot | undefined;
  const draw = (s: NetworkSnapshot) => {
    latest = s;
    switch (mode) {
      case 'json': record('snapshot', { ...options.meta, ...s }, s.at); break;
      case 'csv': for (const r of peerRows(s, ledger)) write(csvPeerRow(r, s.at)); break;
      case 'screen': screen!.show(inputs(s)); break;
      case 'plain': write(`${renderPlain(inputs(s))}\n\n`); break;
    }
  };

  if (mode === 'csv') write(csvHeader());
  if (screen) {
    screen.enter();
    notices.push(options.startNotice ?? 'starting…');
    screen.show(inputs(monitor.snapshot()));
  }
  const subscription = monitor.stats$.subscribe(draw);
  try {
    await monitor.start();
  } catch (err) {
    subscription.unsubscribe();
    ledgerSubscription.unsubscribe();
    screen?.leave();
    await monitor.stop();
    await outputs?.close();
    throw err;
  }
  if (screen) notices.length = 0;
  for (const text of startNotices(monitor.keeper.warnings, monitor.keeper.active, options.seeded)) {
    if (screen) notices.push(text);
    else stderrNotice(text);
  }
  // Something useful early, not only after the first interval: the dials under way.
  const early = screen ? [250, 1_000].map((ms) => setTimeout(() => screen.show(inputs(latest ?? monitor.snapshot())), ms)) : [];

  const onSignal = () => finish();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const timer = options.durationMs !== undefined ? setTimeout(finish, options.durationMs) : undefined;
  await finished;
  clearTimeout(timer);
  for (const t of early) clearTimeout(t);
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);

  subscription.unsubscribe();
  screen?.closing();
  const final = await monitor.stop();
  await outputs?.close();
  ledgerSubscription.unsubscribe();
  screen?.leave();
  const summary = summaryRecord(ledger.summary(), final);
  switch (mode) {
    case 'json': record('summary', { ...options.meta, ...summary }, summary.at); break;
    case 'csv': for (const p of summary.peers) write(csvSummaryRow(p, summary.at)); break;
    default: write(`${mode === 'plain' ? '' : '\n'}${summaryText(summary, options.title, mode === 'screen' ? (out.columns || 80) : Infinity)}\n`);
  }
  if (summary.outcome.everReady === 0) {
    stderrNotice(`no peer ever became ready (${summary.peersSeen} tried)`);
    process.exitCode = EXIT.NO_PEER_READY;
  }
  return summary;
}
