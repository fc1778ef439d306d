import { Args, Flags } from '@oclif/core';
import { BaseCommand, dataFileFlag, ndjson, UsageError } from '@peerscope/cli';
import { added } from '../../app.js';
import { parseInteger } from '../../integer.js';
import { NumberStore } from '../../store.js';

export default class SumAdd extends BaseCommand {
  static override summary = 'Add numbers to a node\'s data file without starting the node';
  static override examples = ['<%= config.bin %> sum add 5 -3 123456789012345678901234567890 --data node1.json'];
  static override strict = false;
  static override args = { numbers: Args.string({ description: 'integers to add', required: true }) };
  static override flags = {
    data: dataFileFlag({ description: 'the node\'s data file (created if missing; its folder must exist)', required: true }),
    json: Flags.boolean({ description: 'one JSON object per line', default: false }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(SumAdd);
    let values: bigint[];
    try {
      values = (argv as string[]).map(parseInteger);
    } catch (err) {
      throw new UsageError(`${(err as Error).message}; nothing was added`);
    }
    const store = await NumberStore.open(flags.data);
    const record = ndjson((line) => process.stdout.write(line));
    for (const v of values) {
      await store.add(v);
      const { text, json } = added(v, store);
      if (flags.json) record('event', json, Date.now());
      else this.log(text);
    }
  }
}
