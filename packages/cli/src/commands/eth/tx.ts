import { Args, Flags } from '@oclif/core';
import { getTransaction } from '@peerscope/ethereum';
import { BaseCommand, rpcFailure, UsageError } from '../../base-command.js';
import { durationFlag, urlFlag } from '../../flags.js';
import { ndjson } from '../../views/json.js';

export default class EthTx extends BaseCommand {
  static summary = 'Show a transaction of an Ethereum node (JSON-RPC) by hash';
  static examples = ['<%= config.bin %> eth tx 0x5c504ed432cb51138bcf09aa5e8a410dd4a1e204ef84bfed1be16dfba1b22060 --url http://127.0.0.1:8545'];
  static args = {
    hash: Args.string({ description: 'transaction hash (0x + 64 hex digits)', required: true }),
  };
  static flags = {
    url: urlFlag({ description: 'JSON-RPC endpoint', default: 'http://127.0.0.1:8545' }),
    timeout: durationFlag({ description: 'request timeout (a bare number is ms)', default: 10_000, unit: 'ms', min: 10 }),
    json: Flags.boolean({ description: 'print the transaction as JSON' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(EthTx);
    if (!/^0x[0-9a-fA-F]{64}$/.test(args.hash)) throw new UsageError(`"${args.hash}" is not a transaction hash`);
    const tx = await getTransaction(flags.url, args.hash, { timeoutMs: flags.timeout }).catch((err: unknown) => { throw rpcFailure(flags.url, err); });
    if (!tx) throw new Error(`no transaction ${args.hash} at ${flags.url}`);
    if (flags.json) {
      // The NDJSON convention: type, at (epoch ms), schema; null for absent fields.
      ndjson((line) => process.stdout.write(line))('transaction', { ...tx, at: Date.now() });
      return;
    }
    this.log(`transaction ${tx.hash}
block     ${tx.blockNumber ?? 'pending'}${tx.blockHash ? ` (${tx.blockHash})` : ''}
from      ${tx.from}
to        ${tx.to ?? '(contract creation)'}
value     ${tx.value} wei
nonce     ${tx.nonce}
gas       ${tx.gas}${tx.gasPrice !== undefined ? `\ngas price ${tx.gasPrice} wei` : ''}
type      ${tx.type}
input     ${tx.inputBytes} bytes`);
  }
}
