import readline from 'node:readline';
import type { Readable } from 'node:stream';
import { ndjson, nodeEventJson } from '@peerscope/cli';
import { formatAddress, type HostPort } from '@peerscope/engine';
import { Node, type NodeEvent } from '@peerscope/p2pnet';
import { NotAnInteger, parseInteger } from './integer.js';
import { NumberStore, StoreError } from './store.js';
import { SumNode, type SumResult } from './sum-node.js';

export interface SumAppOptions {
  host: string;
  port: number;
  id?: string;
  connect: HostPort[];
  data: string;
  add: string[];
  sum: boolean;
  serve: boolean;
  json: boolean;
  hops: number;
  timeoutMs: number;
  framing: 'eot' | 'length';
}

export interface SumAppIo {
  out(line: string): void;
  err(line: string): void;
  input: Readable;
  /** The interactive menu runs only with a TTY; without one the app never prompts. */
  interactive: boolean;
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM). */
  stopSignal: Promise<void>;
}

/**
 * The distributed-sum application: the original menu (add a number, show the network sum, exit), or
 * scripted with --add/--sum, or line commands on a non-TTY stdin (`add 5`, `5`, `sum`, `exit`).
 * Returns the exit code.
 */
export async function runSumApp(o: SumAppOptions, io: SumAppIo): Promise<number> {
  // Refuse bad input before anything changes.
  let toAdd: bigint[];
  try {
    toAdd = o.add.map(parseInteger);
  } catch (err) {
    io.err(`peerscope: ${(err as Error).message}; nothing was added`);
    return 2;
  }
  const store = await NumberStore.open(o.data);
  const node = new Node({ host: o.host, port: o.port, id: o.id, framing: o.framing });
  await node.start();
  const app = new SumNode(node, store);
  // --json: the CLI's NDJSON convention (type 'event', at in epoch ms, schema on the first record); `event` names it.
  const record = ndjson((line) => io.out(line.slice(0, -1)));
  const say = (text: string, json: Record<string, unknown>) => (o.json ? record('event', json, Date.now()) : io.out(text));
  const sub = node.events$.subscribe((e) => {
    const line = describe(e);
    if (line) say(line, nodeEventJson(e));
  });
  say(`node ${node.id} listening on ${formatAddress(node.host, node.port)}; ${numbers(store.count)} stored in ${store.file}, subtotal ${store.subtotal}`, {
    event: 'started', id: node.id, host: node.host, port: node.port, data: store.file, count: store.count, subtotal: store.subtotal.toString(),
  });
  await Promise.allSettled(o.connect.map((c) => node.connectWithNode(c.host, c.port, { reconnect: true })));

  const add = async (value: bigint) => {
    await app.add(value);
    const { text, json } = added(value, store);
    say(text, json);
  };
  // A signal ends a sum in progress too: the round is left to its timer, the node stops.
  let stopped = false;
  void io.stopSignal.then(() => (stopped = true));
  let lastSum: Awaited<ReturnType<typeof app.requestSum>> | undefined;
  const sum = async () => {
    const r = await Promise.race([app.requestSum({ hops: o.hops, timeoutMs: o.timeoutMs }), io.stopSignal.then(() => undefined)]);
    if (r) say(formatSum(r), sumJson(r));
    lastSum = r ?? lastSum;
  };

  try {
    for (const v of toAdd) {
      if (stopped) return 0;
      try {
        await add(v);
      } catch (err) {
        if (!(err instanceof StoreError)) throw err;
        io.err(`peerscope: ${err.message}`);
        return 1;
      }
    }
    if (o.sum && !stopped) await sum();
    // Asked to sum a network (--connect) and no other node answered: the job was not done (exit code 5, see EXIT).
    if (o.sum && !o.serve && o.connect.length > 0 && lastSum && ![...lastSum.nodes.keys()].some((id) => id !== node.id)) {
      io.err(`peerscope: the sum reached no other node (${o.connect.map((c) => formatAddress(c.host, c.port)).join(', ')} did not answer)`);
      return 5;
    }
    if ((toAdd.length > 0 || o.sum) && !o.serve) return 0;
    if (o.serve) {
      await io.stopSignal;
      return 0;
    }
    if (io.interactive) await menu(add, sum, io);
    else await lineCommands(add, sum, io, (msg) => say(msg, { event: 'error', message: msg }));
    return 0;
  } finally {
    sub.unsubscribe();
    app.close();
    await node.stop();
  }
}

async function menu(add: (v: bigint) => Promise<void>, sum: () => Promise<void>, io: SumAppIo): Promise<void> {
  const { select, input } = await import('@inquirer/prompts');
  for (;;) {
    const choice = await select({
      message: 'Distributed sum',
      choices: [
        { name: '1. Add a number', value: 'add' },
        { name: '2. Show the network sum', value: 'sum' },
        { name: '3. Exit', value: 'exit' },
      ],
    }).catch(() => 'exit');
    if (choice === 'exit') return;
    if (choice === 'sum') await sum();
    else {
      const text = await input({ message: 'Number to add' }).catch(() => '');
      try {
        await add(parseInteger(text));
      } catch (err) {
        if (err instanceof NotAnInteger) io.err(`${err.message}; nothing was added`);
        else if (err instanceof StoreError) io.err(err.message);
        else throw err;
      }
    }
  }
}

/** Without a TTY: one command per line. EOF ends the session like `exit`. */
async function lineCommands(add: (v: bigint) => Promise<void>, sum: () => Promise<void>, io: SumAppIo, complain: (msg: string) => void): Promise<void> {
  const rl = readline.createInterface({ input: io.input, crlfDelay: Infinity, terminal: false });
  const stop = io.stopSignal.then(() => rl.close());
  try {
    for await (const raw of rl) {
      const line = raw.trim();
      if (line === '') continue;
      const [word, ...rest] = line.split(/\s+/);
      const cmd = word.toLowerCase();
      if (cmd === 'exit' || cmd === 'quit' || cmd === '3') return;
      if (cmd === 'sum' || cmd === '2') {
        await sum();
        continue;
      }
      const arg = cmd === 'add' || cmd === '1' ? rest.join(' ') : line;
      try {
        await add(parseInteger(arg));
      } catch (err) {
        if (err instanceof NotAnInteger) complain(`${err.message}; nothing was added (commands: add N, sum, exit)`);
        else if (err instanceof StoreError) complain(err.message);
        else throw err;
      }
    }
  } finally {
    void stop;
  }
}

function formatSum(r: SumResult): string {
  const lines = [`network sum ${r.total} from ${r.nodes.size} node${r.nodes.size === 1 ? '' : 's'} (${numbers(r.count)})`];
  for (const id of r.missing) lines.push(`  not answering: ${id}`);
  for (const id of r.lost) lines.push(`  not reachable (answered before): ${id}`);
  return lines.join('\n');
}

function sumJson(r: SumResult): Record<string, unknown> {
  return {
    event: 'sum', total: r.total.toString(), count: r.count, nodes: r.nodes.size,
    subtotals: Object.fromEntries([...r.nodes].map(([id, t]) => [id, { subtotal: t.subtotal.toString(), count: t.count }])),
    missing: r.missing, lost: r.lost,
  };
}

function describe(e: NodeEvent): string | undefined {
  switch (e.type) {
    case 'outbound-node-connected':
    case 'inbound-node-connected':
      return `connected ${e.node.direction} ${formatAddress(e.node.host, e.node.port)} (${e.node.id.slice(0, 16)}…)`;
    case 'outbound-node-disconnected':
    case 'inbound-node-disconnected':
      return `disconnected ${formatAddress(e.node.host, e.node.port)} (${e.reason})`;
    case 'connect-failed':
      return `cannot connect to ${formatAddress(e.host, e.port)} (${e.reason})`;
    case 'error':
      return `error in ${e.hook}: ${e.message}`;
    default:
      return undefined;
  }
}

/** What adding a number prints: the value, then this node's count and subtotal with it. */
export function added(value: bigint, store: NumberStore): { text: string; json: Record<string, unknown> } {
  return {
    text: `added ${value} (this node: ${numbers(store.count)}, subtotal ${store.subtotal})`,
    json: { event: 'added', value: value.toString(), count: store.count, subtotal: store.subtotal.toString() },
  };
}

function numbers(n: number): string {
  return `${n} number${n === 1 ? '' : 's'}`;
}
