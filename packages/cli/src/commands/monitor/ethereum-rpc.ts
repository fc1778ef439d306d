import { Flags } from '@oclif/core';
import { BaseCommand } from '../../base-command.js';
import { durationFlag, urlFlag } from '../../flags.js';
import { outputFlags, startOutputs } from '../../outputs.js';
import { runRpcLive } from '../../rpc-live.js';
import { RpcStreams } from '../../rpc-streams.js';

export default class MonitorEthereumRpc extends BaseCommand {
  static summary = 'Watch Ethereum JSON-RPC endpoints live: client, chain, peers, sync, head block, gas price';
  static description = `Polls each --url every interval (web3_clientVersion, net_version, eth_chainId, net_listening, net_peerCount, eth_syncing, eth_blockNumber, eth_gasPrice, eth_mining and the latest block). A slow, failing or non-JSON endpoint is shown with its error; the others go on.`;
  static examples = [
    '<%= config.bin %> monitor ethereum-rpc --url http://127.0.0.1:8545',
    '<%= config.bin %> monitor ethereum-rpc --url http://127.0.0.1:8545 --url http://127.0.0.1:8546 --json --duration 30s',
  ];
  static flags = {
    url: urlFlag({ description: 'JSON-RPC endpoint, http(s)://… (repeatable)', multiple: true, required: true }),
    interval: durationFlag({ description: 'how often every endpoint is polled', default: 5_000, min: 100 }),
    duration: durationFlag({ description: 'run this long, then exit (e.g. 30s, 10m)' }),
    timeout: durationFlag({ description: 'per-request timeout (default: the interval, at most 10s; a bare number is ms)', unit: 'ms', min: 10 }),
    json: Flags.boolean({ description: 'write one JSON record per endpoint per poll to stdout (newline-delimited)' }),
    ...outputFlags,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(MonitorEthereumRpc);
    // Each endpoint is a peer of the history, /metrics and the page (opened before the first poll: exit 2 if one cannot be).
    const streams = new RpcStreams(flags.url);
    const outputs = await startOutputs(streams, flags, {
      command: 'monitor ethereum-rpc', flags, title: 'ethereum JSON-RPC', protocol: 'ethereum-rpc', network: '', intervalMs: flags.interval,
      target: flags.url.length, say: (line, kind) => (kind !== 'info' || !flags.json) && process.stderr.write(`peerscope: ${line}\n`),
    });
    try {
      await runRpcLive(flags.url, {
        intervalMs: flags.interval, durationMs: flags.duration, timeoutMs: flags.timeout ?? Math.min(flags.interval, 10_000), json: flags.json,
        onPoll: (s) => streams.poll(s),
      });
    } finally {
      streams.end();
      await outputs.close();
    }
  }
}
