import { Flags } from '@oclif/core';
import { listRuns } from '@peerscope/history';
import { BaseCommand } from '../../base-command.js';
import { historyFlags, openForReading, table, time } from '../../history-cli.js';

export default class History extends BaseCommand {
  static summary = 'List the recorded runs, newest first';
  static description = `Every monitor and demo run records into a history database (SQLite by default, PostgreSQL with --db postgres://…). This lists the runs; the subcommands show one run's peers at any instant, heights over time, failures by reason, block propagation, and export them.`;
  static examples = [
    '<%= config.bin %> history',
    '<%= config.bin %> history --db ./overnight.db --json',
    '<%= config.bin %> history peers --at +10m',
  ];
  static flags = {
    ...historyFlags,
    limit: Flags.integer({ description: 'at most this many runs', default: 20, min: 1 }),
    vantage: Flags.string({ description: 'only the runs of this vantage' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(History);
    const sql = await openForReading(flags.db);
    try {
      const runs = await listRuns(sql, { limit: flags.limit, vantage: flags.vantage });
      if (flags.json) return void this.log(JSON.stringify(runs, null, 2));
      if (runs.length === 0) return void this.log(`no runs recorded in ${sql.where} yet`);
      this.log(table(
        ['RUN', 'STARTED', 'DURATION', 'COMMAND', 'NETWORK', 'VANTAGE', 'PEERS', 'PEAK READY'],
        runs.map((r) => [r.id, time(r.startedAt), duration(r), r.command, r.network, r.vantage, r.peers, r.peakReady === null ? '-' : `${r.peakReady}/${r.target ?? '?'}`]),
      ));
    } finally {
      await sql.close();
    }
  }
}

function duration(r: { startedAt: number; endedAt: number | null; lastAt: number | null }): string {
  const end = r.endedAt ?? r.lastAt;
  if (end === null) return '-';
  const s = Math.round((end - r.startedAt) / 1000);
  const text = s >= 3600 ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m` : s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
  return r.endedAt === null ? `${text} (killed)` : text;
}
