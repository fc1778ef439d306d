import { failures } from '@peerscope/history';
import { BaseCommand } from '../../base-command.js';
import { historyFlags, openForReading, pickRun, runFlags, runTitle, table } from '../../history-cli.js';

export default class HistoryFailures extends BaseCommand {
  static summary = 'Failed peer sessions of a run by reason, most common first';
  static examples = ['<%= config.bin %> history failures', '<%= config.bin %> history failures --run 3 --json'];
  static flags = { ...historyFlags, ...runFlags };

  async run(): Promise<void> {
    const { flags } = await this.parse(HistoryFailures);
    const sql = await openForReading(flags.db);
    try {
      const run = await pickRun(sql, flags.run, flags.vantage);
      const rows = await failures(sql, run.id);
      if (flags.json) return void this.log(JSON.stringify({ run: run.id, failures: rows }, null, 2));
      this.log(`${runTitle(run)}\n`);
      if (rows.length === 0) return void this.log('no failed sessions');
      this.log(table(['REASON', 'SESSIONS', 'ADDRESSES', 'EXAMPLE'], rows.map((r) => [r.reason, r.sessions, r.addresses, r.example])));
    } finally {
      await sql.close();
    }
  }
}
