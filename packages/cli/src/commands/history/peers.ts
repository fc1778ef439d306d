import { Flags } from '@oclif/core';
import { peersAt } from '@peerscope/history';
import { BaseCommand } from '../../base-command.js';
import { historyFlags, openForReading, parseAt, pickRun, runFlags, runTitle, table, time } from '../../history-cli.js';

export default class HistoryPeers extends BaseCommand {
  static summary = "One run's peers at an instant: what the live table showed then";
  static examples = [
    '<%= config.bin %> history peers',
    '<%= config.bin %> history peers --run 3 --at +10m',
    '<%= config.bin %> history peers --at 2026-01-02T03:04:05Z --json',
  ];
  static flags = {
    ...historyFlags,
    ...runFlags,
    at: Flags.string({ description: "the instant: ISO time, epoch ms, or +DURATION after the run's start (default: the run's last interval)" }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(HistoryPeers);
    const sql = await openForReading(flags.db);
    try {
      const run = await pickRun(sql, flags.run, flags.vantage);
      const { at, peers } = await peersAt(sql, run, flags.at === undefined ? undefined : parseAt(flags.at, run));
      if (flags.json) return void this.log(JSON.stringify({ run: run.id, at, peers }, null, 2));
      this.log(`${runTitle(run)}\npeers at ${time(at)}: ${peers.filter((p) => p.state === 'ready').length} ready of ${peers.length}\n`);
      this.log(table(
        ['ADDRESS', 'STATE', 'AGENT', 'HEIGHT', 'PING', 'MSGS IN/OUT', 'SINCE'],
        peers.map((p) => [p.address, p.state, p.userAgent, p.bestHeight, p.pingMs === null ? null : `${Math.round(p.pingMs)}ms`,
          p.messagesIn === null ? null : `${p.messagesIn}/${p.messagesOut}`, time(p.readyAt ?? p.dialedAt)]),
      ));
    } finally {
      await sql.close();
    }
  }
}
