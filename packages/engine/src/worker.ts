// A piscina worker: each task is one long-lived peer connection; many run concurrently per worker.
import type { MessagePort } from 'node:worker_threads';
import type { ExecutorCommand, PeerSpec } from './executor.js';
import { EventBatcher } from './event-batcher.js';
import { loadProtocol } from './load-protocol.js';
import type { PeerEnd } from './events.js';
import { runPeer } from './run-peer.js';

export interface PeerTask {
  spec: PeerSpec;
  port: MessagePort;
}

export default async function runPeerTask({ spec, port }: PeerTask): Promise<PeerEnd> {
  const protocol = await loadProtocol(spec.protocol);
  const batcher = new EventBatcher(port);
  const run = runPeer({ ...spec, protocol, onEvent: batcher.push });
  port.on('message', (msg: ExecutorCommand) => (msg.type === 'stop' ? run.stop() : run.command(msg.command)));
  const end = await run.done;
  batcher.flush();
  port.close();
  return end;
}
