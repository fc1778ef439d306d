import dns from 'node:dns';
import net from 'node:net';
import type { Subscription } from 'rxjs';
import type { PeerEvent } from './events.js';
import type { Executor, PeerHandle } from './executor.js';
import type { PeerTimeouts } from './peer-machine.js';
import { AddressBook, DEFAULT_BACKOFF, type BookEntry } from './address-book.js';
import type { BackoffPolicy } from './backoff.js';
import { AddressFilter } from './address-filter.js';
import { parsePeerAddress, type PeerAddress } from './address.js';

export interface PeerKeeperOptions {
  executor: Executor;
  /** Module specifier of the protocol (see Protocol). */
  protocol: string;
  config: unknown;
  /** Peers to keep ready. */
  target: number;
  /** `host:port` (or `key@host:port`) seeds; hostnames are resolved (every address they resolve to is added). */
  seeds?: string[];
  /** DNS seed hostnames, used when no seeds are given. */
  dnsSeeds?: string[];
  defaultPort: number;
  allow?: string[];
  deny?: string[];
  timeouts?: Partial<PeerTimeouts>;
  backoff?: BackoffPolicy;
  /** Resolves a hostname to addresses (default: dns.promises.lookup, all addresses). */
  resolve?: (hostname: string) => Promise<string[]>;
}

const defaultResolve = async (hostname: string) => (await dns.promises.lookup(hostname, { all: true })).map((a) => a.address);

/**
 * The peer keeper: keeps `target` peers connected. Dials seeds, records what peers teach it, and
 * replaces every peer that ends with an untried address (or a failed one whose backoff has passed).
 */
export class PeerKeeper {
  readonly book: AddressBook;
  readonly filter: AddressFilter;
  private readonly handles = new Map<string, { handle: PeerHandle; entry: BookEntry }>();
  private subscription?: Subscription;
  private retryTimer?: NodeJS.Timeout;
  private seq = 0;
  private started = false;
  private stopping = false;
  /** Problems that are not a peer's (a seed that does not resolve): shown to the user, never thrown. */
  readonly warnings: string[] = [];

  constructor(private readonly options: PeerKeeperOptions) {
    this.book = new AddressBook(options.backoff ?? DEFAULT_BACKOFF);
    this.filter = new AddressFilter(options.allow, options.deny);
  }

  get active(): number {
    return this.handles.size;
  }

  async start(): Promise<void> {
    this.subscription = this.options.executor.events$.subscribe((e) => this.onEvent(e));
    const resolve = this.options.resolve ?? defaultResolve;
    const seeds = (this.options.seeds ?? []).map((s) => parsePeerAddress(s, this.options.defaultPort));
    if (seeds.length > 0) {
      await this.addResolved(seeds, 'seed', resolve);
    } else {
      const dnsSeeds = (this.options.dnsSeeds ?? []).map((host) => ({ host, port: this.options.defaultPort }));
      await this.addResolved(dnsSeeds, 'dns', resolve);
    }
    this.started = true;
    this.fill();
  }

  private async addResolved(list: PeerAddress[], source: 'seed' | 'dns', resolve: (h: string) => Promise<string[]>) {
    await Promise.all(
      list.map(async ({ host, port, key }) => {
        let hosts = [host];
        if (!net.isIP(host)) {
          try {
            hosts = await resolve(host);
          } catch (err) {
            this.warnings.push(`${host}: ${(err as Error).message}`);
            return;
          }
        }
        for (const h of hosts) {
          this.filter.seed(h);
          this.book.add(h, port, source, this.filter.permits(h), key);
        }
      }),
    );
  }

  private onEvent(event: PeerEvent): void {
    if (event.type === 'addresses') {
      this.record(event.addresses, 'learned');
      this.fill();
      return;
    }
    if (event.type !== 'state') return;
    const slot = this.handles.get(event.peer);
    if (!slot) return;
    if (event.state === 'ready') this.book.markReady(slot.entry);
    if (event.state === 'failed' || event.state === 'closed') {
      this.handles.delete(event.peer);
      this.book.markEnded(slot.entry, Date.now());
      this.fill();
    }
  }

  /**
   * Addresses found outside the peers (a discovery service such as discv4): recorded, and dialled when
   * the filter allows, like addresses learned from peers.
   */
  learn(addresses: string[]): void {
    this.record(addresses, 'discovered');
    this.fill();
  }

  private record(addresses: string[], source: 'learned' | 'discovered'): void {
    for (const text of addresses) {
      try {
        const { host, port, key } = parsePeerAddress(text);
        // Always recorded; dialled only if the filter allows and a public peer could be there.
        this.book.add(host, port, source, this.filter.verdict(host, 'learned') === 'dial', key);
      } catch {
        // Tor/I2P/CJDNS names are not host:port we can dial; the stats still count them.
      }
    }
  }

  /** Dial until `target` connections are live or nothing is dialable now; wake up when a backoff ends. */
  private fill(): void {
    // Addresses may be learned before start (discovery runs early): they wait in the book until then.
    if (!this.started || this.stopping) return;
    clearTimeout(this.retryTimer);
    const now = Date.now();
    while (this.handles.size < this.options.target) {
      const entry = this.book.next(now);
      if (!entry) break;
      this.dial(entry);
    }
    if (this.handles.size < this.options.target) {
      const at = this.book.nextRetryAt();
      if (at !== undefined) this.retryTimer = setTimeout(() => this.fill(), Math.max(10, at - Date.now()));
    }
  }

  private dial(entry: BookEntry): void {
    this.book.markDialling(entry);
    const id = `p${++this.seq}`;
    const handle = this.options.executor.spawn({
      id, host: entry.host, port: entry.port, key: entry.key, protocol: this.options.protocol, config: this.options.config, timeouts: this.options.timeouts,
    });
    this.handles.set(id, { handle, entry });
  }

  /** Stops every peer; resolves when all have ended. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.retryTimer);
    const all = [...this.handles.values()];
    for (const { handle } of all) handle.stop();
    await Promise.all(all.map(({ handle }) => handle.done));
    this.subscription?.unsubscribe();
  }
}
