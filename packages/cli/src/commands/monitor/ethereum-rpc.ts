import { Flags } from '@oclif/core';
import { pollEndpoint, type RpcSnapshot } from '@peerscope/ethereum';
import { BaseCommand, UsageError } from '../../base-command.js';
import { durationFlag } from '../../monitor-flags.js';
import { rpcJsonLine, rpcSummaryLine, rpcTable } from '../../views/rpc-table.js';


export default class MonitorEthereumRpc extends BaseCommand {
  static summary = 'Watch Ethereum JSON-RPC endpoints live: client, chain, peers, sync, head block, gas price';
  static description = `Polls each --url every interval (web3_clientVersion, net_version, eth_chainId, net_listening, net_peerCount, eth_syncing, eth_blockNumber, eth_gasPrice, eth_mining and the latest block). A slow, failing or non-JSON endpoint is shown with its error; the others go on.`;
  static examples = [
    '<%= config.bin %> monitor ethereum-rpc --url http://127.0.0.1:8545',
    '<%= config.bin %> monitor ethereum-rpc --url http://127.0.0.1:8545 --url http://127.0.0.1:8546 --json --duration 30s',
  ];
  static flags = {
    url: Flags.string({ description: 'JSON-RPC endpoint, http(s)://… (repeatable)', multiple: true, required: true }),
    interval: durationFlag({ description: 'how often every endpoint is polled (e.g. 5s, 500ms)', default: 5_000 }),
    duration: durationFlag({ description: 'run this long, then exit (e.g. 30s, 10m)' }),
    timeout: durationFlag({ description: 'per-request timeout (default: the interval, at most 10s)' }),
    json: Flags.boolean({ description: 'write one JSON record per endpoint per poll to stdout (newline-delimited)' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(MonitorEthereumRpc);
    for (const u of flags.url) {
      if (!/^https?:\/\/[^\s]+$/.test(u)) throw new UsageError(`--url "${u}" is not an http(s) URL`);
    }
    const timeoutMs = flags.timeout ?? Math.min(flags.interval, 10_000);
    const out = process.stdout;
    const tty = !flags.json && out.isTTY === true;
    const startedAt = Date.now();
    let stop = false;
    const finish = () => { stop = true; };
    process.once('SIGINT', finish);
    process.once('SIGTERM', finish);
    const deadline = flags.duration !== undefined ? startedAt + flags.duration : Infinity;
    let last: RpcSnapshot[] = [];
    while (!stop && Date.now() < deadline) {
      const tick = Date.now();
      last = await Promise.all(flags.url.map((u) => pollEndpoint(u, { timeoutMs })));
      if (flags.json) for (const s of last) out.write(rpcJsonLine(s));
      else out.write(`${tty ? '\x1b[H\x1b[2J' : ''}${rpcTable(last, flags.interval)}\n${tty ? '' : '\n'}`);
      const wait = Math.min(tick + flags.interval, deadline) - Date.now();
      if (wait > 0) await sleepUnless(wait, () => stop);
    }
    process.off('SIGINT', finish);
    process.off('SIGTERM', finish);
    if (flags.json) out.write(rpcSummaryLine(last));
  }
}

function sleepUnless(msTotal: number, stopped: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const end = Date.now() + msTotal;
    const step = () => (stopped() || Date.now() >= end ? resolve() : setTimeout(step, Math.min(100, end - Date.now())));
    step();
  });
}
