import { propagation } from '@peerscope/history';
import { BaseCommand } from '../../base-command.js';
import { historyFlags, openForReading, pickRun, runFlags, runTitle, table, time } from '../../history-cli.js';

export default class HistoryBlocks extends BaseCommand {
  static summary = 'Block propagation: each new height, which peer reported it first, and how long the others took';
  static examples = ['<%= config.bin %> history blocks', '<%= config.bin %> history blocks --run 3 --json'];
  static flags = { ...historyFlags, ...runFlags };

  async run(): Promise<void> {
    const { flags } = await this.parse(HistoryBlocks);
    const sql = await openForReading(flags.db);
    try {
      const run = await pickRun(sql, flags.run, flags.vantage);
      const rows = await propagation(sql, run.id);
      if (flags.json) return void this.log(JSON.stringify({ run: run.id, blocks: rows }, null, 2));
      this.log(`${runTitle(run)}\n`);
      this.log(table(
        ['HEIGHT', 'FIRST SEEN', 'FIRST FROM', 'PEERS', 'P50', 'P90', 'MAX'],
        rows.map((b) => [b.height, time(b.firstSeenAt), b.firstAddress ?? b.firstPeer, b.peers, `${b.p50Ms}ms`, `${b.p90Ms}ms`, `${b.maxMs}ms`]),
      ));
    } finally {
      await sql.close();
    }
  }
}
