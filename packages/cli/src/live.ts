import type { Monitor, NetworkSnapshot } from '@peerscope/engine';
import { jsonLine } from './views/json.js';
import { networkSummary, peerTable, renderTable, type ViewContext } from './views/table.js';

export interface LiveOptions extends ViewContext {
  json: boolean;
  durationMs?: number;
  out?: NodeJS.WriteStream;
  /** Extra fields for every JSON record (network name…). */
  meta?: Record<string, unknown>;
}

/** A terminal wraps long rows and the redraw scrolls; cut each line at the terminal's width instead. */
function clip(text: string, width: number | undefined): string {
  if (!width) return text;
  return text.split('\n').map((l) => (l.length > width ? l.slice(0, width - 1) + '…' : l)).join('\n');
}

/**
 * Runs a monitor until --duration or Ctrl-C/SIGTERM, drawing each snapshot; then closes every
 * connection and prints the final summary. Resolves with the final snapshot.
 */
export async function runLive(monitor: Monitor, options: LiveOptions): Promise<NetworkSnapshot> {
  const out = options.out ?? process.stdout;
  const tty = !options.json && out.isTTY === true;
  const draw = (s: NetworkSnapshot) => {
    if (options.json) out.write(jsonLine('snapshot', s, options.meta));
    // In place on a terminal: home the cursor and clear, so the table redraws without scrolling.
    else if (tty) out.write(`\x1b[H\x1b[2J${clip(renderTable(s, options), out.columns)}`);
    else out.write(`${renderTable(s, options)}\n`);
  };
  const subscription = monitor.stats$.subscribe(draw);
  await monitor.start();
  for (const w of monitor.keeper.warnings) process.stderr.write(`peerscope: warning: ${w}\n`);

  await new Promise<void>((resolve) => {
    const finish = () => {
      process.off('SIGINT', finish);
      process.off('SIGTERM', finish);
      clearTimeout(timer);
      resolve();
    };
    const timer = options.durationMs !== undefined ? setTimeout(finish, options.durationMs) : undefined;
    process.once('SIGINT', finish);
    process.once('SIGTERM', finish);
  });

  subscription.unsubscribe();
  const final = await monitor.stop();
  if (options.json) out.write(jsonLine('summary', final, options.meta));
  else out.write(`${tty ? '\n' : ''}final summary\n${networkSummary(final, options)}\n\n${peerTable(final, options.extraColumns)}\n`);
  return final;
}
