import { Flags } from '@oclif/core';
import { BaseCommand, dataFileFlag, ndjson } from '@peerscope/cli';
import { NumberStore } from '../../store.js';

export default class SumLocal extends BaseCommand {
  static override summary = 'Show the numbers stored on one node (no network)';
  static override flags = {
    data: dataFileFlag({ description: 'the node\'s data file (must exist)', required: true, mustExist: true }),
    json: Flags.boolean({ description: 'print JSON', default: false }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(SumLocal);
    const store = await NumberStore.open(flags.data);
    if (flags.json) {
      ndjson((line) => process.stdout.write(line))('store', { data: store.file, count: store.count, subtotal: store.subtotal.toString(), numbers: store.numbers.map(String) });
    } else {
      this.log(`${store.count} numbers in ${store.file}, subtotal ${store.subtotal}`);
      for (const n of store.numbers) this.log(`  ${n}`);
    }
  }
}
