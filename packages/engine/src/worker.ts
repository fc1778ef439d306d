// A piscina worker: one long-lived task per worker hosts every peer the pool places on it. Commands
// arrive and event batches leave on the task's one MessagePort: a port per peer would cost each peer
// kilobytes and a postMessage per peer per turn.
import v8 from 'node:v8';
import type { MessagePort } from 'node:worker_threads';
import type { PeerSpec, WorkerCommand, WorkerReport } from './executor.js';
import { collectGarbage, heapStatistics } from './collect-garbage.js';
import { EventPacker } from './event-batcher.js';
import { PeerHost } from './peer-host.js';

export interface HostTask {
  port: MessagePort;
}

export default async function hostPeers({ port }: HostTask): Promise<void> {
  const post = (report: WorkerReport) => port.postMessage(report);
  const packer = new EventPacker();
  const host = new PeerHost((events) => {
    const packed = packer.pack(events);
    port.postMessage({ type: 'events', packed } satisfies WorkerReport, [packed.numbers.buffer as ArrayBuffer]);
  });
  // Peers of one session share one config: it crosses once, not with every spawn.
  const configs = new Map<number, unknown>();
  let closed!: () => void;
  const done = new Promise<void>((r) => (closed = r));
  port.on('message', (msg: WorkerCommand) => {
    switch (msg.type) {
      case 'config':
        configs.set(msg.id, msg.config);
        return;
      case 'spawn':
        return host.spawn({ ...msg.spec, config: configs.get(msg.configId) } as PeerSpec);
      case 'listen':
        host.listen({ ...msg.spec, config: configs.get(msg.configId) }).then(
          (bound) => post({ type: 'listening', id: msg.spec.id, port: bound }),
          (err: NodeJS.ErrnoException) => post({ type: 'listen-failed', id: msg.spec.id, message: err.message, code: err.code }),
        );
        return;
      case 'unlisten':
        void host.unlisten(msg.id).then(() => post({ type: 'unlistened', id: msg.id }));
        return;
      case 'command':
        return host.command(msg.id, msg.command);
      case 'stop':
        return host.stop(msg.id);
      case 'heap-snapshot':
        return post({ type: 'heap-snapshot', id: msg.id, file: v8.writeHeapSnapshot(msg.file) });
      case 'heap':
        return post({ type: 'heap', id: msg.id, heap: heapStatistics() });
      case 'gc':
        collectGarbage();
        return post({ type: 'gc-done', id: msg.id });
      case 'close':
        void host.close().then(closed);
        return;
    }
  });
  await done;
  port.close();
}
