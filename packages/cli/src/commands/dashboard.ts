import { Flags } from '@oclif/core';
import { parseListen } from '@peerscope/metrics';
import { startWeb } from '@peerscope/web';
import { BaseCommand, EnvironmentError, UsageError } from '../base-command.js';
import { durationFlag } from '../flags.js';
import { historyFlags, openForReading, pickRun } from '../history-cli.js';

const listenFlag = Flags.custom<{ host: string; port: number }>({ parse: async (input) => parseListen(input), helpValue: '[HOST:]PORT' });

export default class Dashboard extends BaseCommand {
  static summary = 'Serve the web page over a history database, without a monitor';
  static description = `Shows one recorded run (the newest by default) in the browser: the summary, the peer table at its last interval, charts over the whole run and block propagation. A run still being recorded by a monitor (in another process) is followed as it is written.`;
  static examples = [
    '<%= config.bin %> dashboard',
    '<%= config.bin %> dashboard --db ./overnight.db --web 8080',
    '<%= config.bin %> dashboard --db postgres://peerscope@db.internal/peerscope --run 12 --web 0.0.0.0:8080',
  ];
  static flags = {
    db: historyFlags.db,
    run: Flags.integer({ description: 'the run (default: the newest)', min: 1 }),
    web: listenFlag({ description: 'listen on [HOST:]PORT (host default 127.0.0.1; port 0 picks a free one)', default: { host: '127.0.0.1', port: 8080 }, defaultHelp: async () => '127.0.0.1:8080' }),
    duration: durationFlag({ description: 'serve this long, then exit (default: until Ctrl-C)' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Dashboard);
    const sql = await openForReading(flags.db);
    try {
      const run = await pickRun(sql, flags.run, undefined);
      const web = await startWeb({ ...flags.web, title: 'history', history: { sql, runId: run.id } }).catch((err) => {
        const code = (err as { code?: string }).code;
        if (code === 'EADDRINUSE') throw new EnvironmentError(`--web: ${flags.web.host}:${flags.web.port} is already in use (pick another port; 0 picks a free one)`);
        if (code === 'EADDRNOTAVAIL') throw new UsageError(`--web: ${flags.web.host} is not an address of this machine`);
        throw err;
      });
      process.stderr.write(`peerscope: dashboard of run ${run.id} on ${web.url}\n`);
      await new Promise<void>((resolve) => {
        const done = () => resolve();
        process.once('SIGINT', done);
        process.once('SIGTERM', done);
        if (flags.duration !== undefined) setTimeout(done, flags.duration);
      });
      await web.close();
    } finally {
      await sql.close();
    }
  }
}
