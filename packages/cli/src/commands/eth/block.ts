import { Args, Flags } from '@oclif/core';
import { getBlock, type BlockTag } from '@peerscope/ethereum';
import { BaseCommand, rpcFailure, UsageError } from '../../base-command.js';
import { durationFlag, urlFlag } from '../../flags.js';
import { ndjson } from '../../views/json.js';

export default class EthBlock extends BaseCommand {
  static summary = 'Show a block of an Ethereum node (JSON-RPC): hash, parent, time, transaction count';
  static examples = [
    '<%= config.bin %> eth block 17000000 --url http://127.0.0.1:8545',
    '<%= config.bin %> eth block latest --url http://127.0.0.1:8545 --json',
  ];
  static args = {
    block: Args.string({ description: 'block number (decimal or 0x hex) or latest/earliest/pending/safe/finalized', default: 'latest' }),
  };
  static flags = {
    url: urlFlag({ description: 'JSON-RPC endpoint', default: 'http://127.0.0.1:8545' }),
    timeout: durationFlag({ description: 'request timeout (a bare number is ms)', default: 10_000, unit: 'ms', min: 10 }),
    json: Flags.boolean({ description: 'print the block as JSON' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(EthBlock);
    const tag = parseBlockTag(args.block);
    const block = await getBlock(flags.url, tag, { timeoutMs: flags.timeout }).catch((err: unknown) => { throw rpcFailure(flags.url, err); });
    if (!block) throw new Error(`no block ${args.block} at ${flags.url}`);
    if (flags.json) {
      // The NDJSON convention: type, at (epoch ms), schema; null for absent fields.
      ndjson((line) => process.stdout.write(line))('block', { ...block, at: Date.now() });
      return;
    }
    this.log(`block ${block.number}
hash          ${block.hash}
parent        ${block.parentHash}
time          ${new Date(block.timestamp * 1000).toISOString()} (${block.timestamp})
transactions  ${block.transactionCount}${block.gasUsed !== undefined ? `\ngas used      ${block.gasUsed} of ${block.gasLimit}` : ''}${block.baseFeePerGas !== undefined ? `\nbase fee      ${block.baseFeePerGas} wei` : ''}${block.miner ? `\nfee recipient ${block.miner}` : ''}`);
  }
}

function parseBlockTag(text: string): BlockTag {
  if (['latest', 'earliest', 'pending', 'safe', 'finalized'].includes(text)) return text as BlockTag;
  if (/^\d+$/.test(text) || /^0x[0-9a-fA-F]+$/.test(text)) {
    const n = Number(text);
    if (Number.isSafeInteger(n)) return n;
  }
  throw new UsageError(`"${text}" is not a block number or tag`);
}
