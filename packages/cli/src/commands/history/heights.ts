import { heights } from '@peerscope/history';
import { BaseCommand } from '../../base-command.js';
import { historyFlags, openForReading, pickRun, runFlags, runTitle, table, time } from '../../history-cli.js';

export default class HistoryHeights extends BaseCommand {
  static summary = 'Heights over time: ready peers, the consensus height and how many peers were on it, each time it changed';
  static examples = ['<%= config.bin %> history heights', '<%= config.bin %> history heights --run 3 --json'];
  static flags = { ...historyFlags, ...runFlags };

  async run(): Promise<void> {
    const { flags } = await this.parse(HistoryHeights);
    const sql = await openForReading(flags.db);
    try {
      const run = await pickRun(sql, flags.run, flags.vantage);
      const points = await heights(sql, run.id);
      if (flags.json) return void this.log(JSON.stringify({ run: run.id, points }, null, 2));
      // The table shows changes only; --json has every interval.
      const changes = points.filter((p, i) => i === 0 || i === points.length - 1 || p.consensusHeight !== points[i - 1].consensusHeight
        || p.consensusPeers !== points[i - 1].consensusPeers || p.ready !== points[i - 1].ready);
      this.log(`${runTitle(run)}\n${points.length} intervals, ${changes.length} changes\n`);
      this.log(table(['TIME', 'READY', 'HEIGHT', 'PEERS ON IT'], changes.map((p) => [time(p.at), p.ready, p.consensusHeight, p.consensusPeers])));
    } finally {
      await sql.close();
    }
  }
}
