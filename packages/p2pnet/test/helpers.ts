import net from 'node:net';
import { firstValueFrom, filter, take, toArray, type Observable } from 'rxjs';
import { Node, type NodeEvent, type NodeEventOf, type NodeEventType, type NodeOptions } from '../src/index.js';

export const HOST = '127.0.0.1';

export async function startNode(options: Partial<NodeOptions> = {}): Promise<Node> {
  const node = new Node({ host: HOST, port: 0, ...options });
  await node.start();
  return node;
}

export function next<T extends NodeEventType>(node: Node, type: T, count = 1): Promise<NodeEventOf<T>[]> {
  return firstValueFrom(node.on$(type).pipe(take(count), toArray()));
}

export function nextWhere(events$: Observable<NodeEvent>, pred: (e: NodeEvent) => boolean): Promise<NodeEvent> {
  return firstValueFrom(events$.pipe(filter(pred)));
}

/** A raw TCP peer, to see and send exact bytes. */
export class RawPeer {
  received = Buffer.alloc(0);
  closed = false;
  private waiters: (() => void)[] = [];

  constructor(readonly socket: net.Socket) {
    socket.on('data', (d) => {
      this.received = Buffer.concat([this.received, d]);
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => {});
  }

  static connect(port: number): Promise<RawPeer> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ host: HOST, port }, () => resolve(new RawPeer(s)));
      s.once('error', reject);
    });
  }

  /** Waits until `pred` holds on what was received (or the socket closed). */
  async until(pred: (b: Buffer) => boolean, what = 'bytes'): Promise<Buffer> {
    const deadline = Date.now() + 5_000;
    while (!pred(this.received)) {
      if (this.closed) throw new Error(`closed before ${what}; got ${this.received.toString('hex')}`);
      if (Date.now() > deadline) throw new Error(`no ${what}; got ${this.received.toString('hex')}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 50);
      });
    }
    return this.received;
  }

  async untilClosed(): Promise<void> {
    await this.until(() => this.closed, 'close').catch((e: Error) => {
      if (!this.closed) throw e;
    });
  }

  write(bytes: Uint8Array | string): void {
    this.socket.write(bytes);
  }

  take(n: number): Buffer {
    const out = this.received.subarray(0, n);
    this.received = this.received.subarray(n);
    return out;
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}

/** A raw TCP server accepting one connection. */
export async function rawServer(): Promise<{ port: number; peer: Promise<RawPeer>; close(): void }> {
  let resolve!: (p: RawPeer) => void;
  const peer = new Promise<RawPeer>((r) => (resolve = r));
  const server = net.createServer((s) => resolve(new RawPeer(s)));
  await new Promise<void>((r) => server.listen(0, HOST, r));
  return { port: (server.address() as net.AddressInfo).port, peer, close: () => server.close() };
}

/** Polls until `check` holds; fails with `what` if it does not within 5 s. */
export async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export const ID_B = 'ee27e057' + 'ab'.repeat(58) + '4b04';
