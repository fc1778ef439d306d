// On a terminal, a live view says what is starting before oclif and the command have loaded (its first
// frame comes a few hundred ms later); machine output and help never get that line.
import { describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { startOnTerminal } from './support/terminal.js';

describe('first paint', () => {
  it('on a terminal, the first thing drawn says what is starting, before the live view', async () => {
    const t = startOnTerminal(['demo', '--sim', '20', '--peers', '10', '--duration', '2s', '--no-db'], { columns: 100, lines: 30 });
    await t.see('peerscope demo: starting…');
    await t.exited;
    const screen = t.screen();
    const starting = screen.indexOf('peerscope demo: starting…');
    expect(starting).toBeGreaterThanOrEqual(0);
    // Nothing of the live view (the alternate screen) comes before it.
    expect(screen.indexOf('\x1b[?1049h')).toBeGreaterThan(starting);
  }, 60_000);

  it('is not written when the output is not a terminal', async () => {
    const { code, stdout } = await runCli(['demo', '--sim', '10', '--peers', '5', '--duration', '1s', '--no-db', '--json']);
    expect(code).toBe(0);
    expect(stdout).not.toContain('starting…');
    expect(stdout.split('\n')[0]).toMatch(/^\{/);
  }, 60_000);
});
