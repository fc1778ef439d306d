import fs from 'node:fs';
import { Args, Flags } from '@oclif/core';
import { formatRows, propagation, sessions, snapshots, type ExportFormat } from '@peerscope/history';
import { BaseCommand } from '../../base-command.js';
import { dataFileFlag } from '../../flags.js';
import { historyFlags, openForReading, pickRun, runFlags } from '../../history-cli.js';

const KINDS = ['peers', 'snapshots', 'failures', 'blocks'] as const;

export default class HistoryExport extends BaseCommand {
  static summary = "Export one run's peers, snapshots, failures or blocks as CSV, JSON or NDJSON";
  static description = 'Peer-supplied strings stay data: in CSV a field starting with = + - @ gets a leading apostrophe, so no spreadsheet runs it as a formula.';
  static examples = [
    '<%= config.bin %> history export peers --format csv --out peers.csv',
    '<%= config.bin %> history export snapshots --run 3 --format ndjson',
  ];
  static args = { kind: Args.string({ description: 'what to export', options: [...KINDS], required: true }) };
  static flags = {
    db: historyFlags.db,
    ...runFlags,
    format: Flags.string({ description: 'output format', options: ['csv', 'json', 'ndjson'], default: 'csv' }),
    json: Flags.boolean({ description: 'the same as --format json' }),
    out: dataFileFlag({ description: 'write to this file instead of stdout' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(HistoryExport);
    const format = (flags.json ? 'json' : flags.format) as ExportFormat;
    const sql = await openForReading(flags.db);
    try {
      const run = await pickRun(sql, flags.run, flags.vantage);
      const kind = args.kind as (typeof KINDS)[number];
      const rows: Record<string, unknown>[] = kind === 'peers' ? await sessions(sql, run.id)
        : kind === 'snapshots' ? await snapshots(sql, run.id)
          : kind === 'failures' ? await sessions(sql, run.id, { failedOnly: true })
            : (await propagation(sql, run.id)).map((b) => ({ run: run.id, ...b }));
      const out: NodeJS.WritableStream = flags.out ? fs.createWriteStream(flags.out) : process.stdout;
      for (const chunk of formatRows(rows, format)) if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
      if (flags.out) await new Promise<void>((resolve, reject) => (out as fs.WriteStream).on('error', reject).end(() => resolve()));
    } finally {
      await sql.close();
    }
  }
}
