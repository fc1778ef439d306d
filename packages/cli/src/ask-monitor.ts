import { NETWORKS } from '@peerscope/bitcoin';
import { formatAddress } from '@peerscope/engine';
import { checkHost } from './flags.js';

const LABELS: Record<string, string> = { bitcoin: 'Bitcoin', ethereum: 'Ethereum (devp2p)', 'ethereum-rpc': 'Ethereum node JSON-RPC' };

/**
 * Asks on the terminal which monitor to run (one of `monitors`, e.g. 'bitcoin'), and for a node and how
 * many peers to keep, as the original tool did. Returns the command id and its arguments.
 */
export async function askMonitor(monitors: string[]): Promise<{ id: string; argv: string[] }> {
  const { select, input, number } = await import('@inquirer/prompts');
  const protocol = await select({ message: 'Which network?', choices: monitors.map((m) => ({ name: LABELS[m] ?? m, value: m })) });
  const id = `monitor:${protocol}`;
  const argv: string[] = [];
  let defaultPort = 8545;
  if (protocol === 'bitcoin') {
    const network = await select({ message: 'Which chain?', choices: NETWORKS.map((n) => ({ name: n.name, value: n.name })) });
    defaultPort = NETWORKS.find((n) => n.name === network)!.port;
    argv.push('--network', network);
  }
  if (protocol === 'ethereum') {
    const enode = await input({ message: 'Node (enode://<node id>@host:port)', required: true });
    const peers = await number({ message: 'How many peers to keep', default: 8, min: 1, max: 10_000, required: true });
    return { id, argv: ['--seed', enode, '--peers', String(peers)] };
  }
  const host = checkHost(await input({
    message: 'Node address (host)', default: '127.0.0.1',
    validate: (v) => {
      try {
        checkHost(v);
        return true;
      } catch (err) {
        return (err as Error).message;
      }
    },
  }));
  const port = await number({ message: 'Port', default: defaultPort, min: 1, max: 65535, required: true });
  if (protocol === 'ethereum-rpc') {
    argv.push('--url', `http://${formatAddress(host, port)}`);
  } else {
    const peers = await number({ message: 'How many peers to keep', default: 8, min: 1, max: 10_000, required: true });
    argv.push('--seed', formatAddress(host, port), '--peers', String(peers));
  }
  return { id, argv };
}
