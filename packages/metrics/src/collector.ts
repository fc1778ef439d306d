import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Subscription } from 'rxjs';
import type { NetworkSnapshot, PeerEvent } from '@peerscope/engine';
import type { Observable } from 'rxjs';

export interface MetricsOptions {
  protocol: string;
  network: string;
  /** One series per ready peer (address label): off by default, addresses are unbounded. */
  perPeer?: boolean;
}

/**
 * Commands are named by peers (a Bitcoin command is any 12 bytes): the first this many get a label of
 * their own, the rest count as "other", so a hostile peer cannot grow the series without bound.
 */
export const MAX_COMMAND_LABELS = 48;
/** Failure reasons come from code (the engine's and the protocol's), but a bound costs nothing. */
export const MAX_REASON_LABELS = 48;

/** Round-trip buckets in seconds: loopback (sub-ms) to a slow peer across the world. */
const RTT_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/**
 * A monitor's streams as Prometheus metrics: gauges from each snapshot, counters advanced by what
 * changed since the previous one, traffic and RTT from the events. Reads nothing from the engine but
 * its streams; a scrape costs one render of the registry.
 */
export class MonitorMetrics {
  readonly registry = new Registry();
  private readonly subscriptions: Subscription[] = [];
  private readonly peers: Gauge;
  private readonly target: Gauge;
  private readonly consensusHeight: Gauge;
  private readonly consensusPeers: Gauge;
  private readonly known: Gauge;
  private readonly handshakes: Counter;
  private readonly failures: Counter;
  private readonly messages: Counter;
  private readonly bytes: Counter;
  private readonly rtt: Histogram;
  private readonly peerRtt?: Gauge;
  private readonly peerHeight?: Gauge;
  private readonly commands = new Set<string>();
  private previous?: NetworkSnapshot;

  constructor(streams: { stats$: Observable<NetworkSnapshot>; events$: Observable<PeerEvent> }, private readonly o: MetricsOptions) {
    const registers = [this.registry];
    this.registry.setDefaultLabels({ protocol: o.protocol, network: o.network });
    this.peers = new Gauge({ name: 'peerscope_peers', help: 'Peer connections by state (ready: handshake done; connecting: dialling or handshaking)', labelNames: ['state'], registers });
    this.target = new Gauge({ name: 'peerscope_peers_target', help: 'Ready peers the monitor tries to keep', registers });
    this.consensusHeight = new Gauge({ name: 'peerscope_consensus_height', help: 'The most common best height among ready peers', registers });
    this.consensusPeers = new Gauge({ name: 'peerscope_consensus_peers', help: 'Ready peers at the consensus height', registers });
    this.known = new Gauge({ name: 'peerscope_addresses_known', help: 'Distinct peer addresses known (dialled or learned)', registers });
    this.handshakes = new Counter({ name: 'peerscope_handshakes_total', help: 'Handshakes by result', labelNames: ['result'], registers });
    this.failures = new Counter({ name: 'peerscope_failures_total', help: 'Peer connections that ended in failure, by typed reason', labelNames: ['reason'], registers });
    this.messages = new Counter({ name: 'peerscope_messages_total', help: 'Protocol messages by direction and command', labelNames: ['direction', 'command'], registers });
    this.bytes = new Counter({ name: 'peerscope_bytes_total', help: 'Bytes on the wire (framing included) by direction and command', labelNames: ['direction', 'command'], registers });
    this.rtt = new Histogram({ name: 'peerscope_rtt_seconds', help: 'Ping round-trip times of ready peers', buckets: RTT_BUCKETS, registers });
    for (const state of ['ready', 'connecting']) this.peers.set({ state }, 0);
    for (const result of ['succeeded', 'failed']) this.handshakes.inc({ result }, 0);
    if (o.perPeer) {
      this.peerRtt = new Gauge({ name: 'peerscope_peer_rtt_seconds', help: 'Last ping round trip of each ready peer', labelNames: ['address'], registers });
      this.peerHeight = new Gauge({ name: 'peerscope_peer_height', help: 'Best height of each ready peer', labelNames: ['address'], registers });
    }
    this.subscriptions.push(
      streams.stats$.subscribe((s) => this.onSnapshot(s)),
      streams.events$.subscribe((e) => {
        if (e.type === 'message') {
          const labels = { direction: e.dir, command: this.commandLabel(e.command) };
          this.messages.inc(labels, e.count);
          this.bytes.inc(labels, e.bytes);
        } else if (e.type === 'rtt') {
          this.rtt.observe(e.ms / 1000);
        }
      }),
    );
  }

  private commandLabel(command: string): string {
    if (this.commands.has(command)) return command;
    if (this.commands.size >= MAX_COMMAND_LABELS || !/^[\x21-\x7e]{1,32}$/.test(command)) return 'other';
    this.commands.add(command);
    return command;
  }

  private onSnapshot(s: NetworkSnapshot): void {
    const p = this.previous;
    this.peers.set({ state: 'ready' }, s.ready);
    this.peers.set({ state: 'connecting' }, s.connecting);
    this.target.set(s.target);
    this.known.set(s.addresses.known);
    if (s.consensus) {
      this.consensusHeight.set(s.consensus.height);
      this.consensusPeers.set(s.consensus.peers);
    } else {
      this.consensusPeers.set(0);
    }
    this.handshakes.inc({ result: 'succeeded' }, s.handshakes.succeeded - (p?.handshakes.succeeded ?? 0));
    this.handshakes.inc({ result: 'failed' }, s.handshakes.failed - (p?.handshakes.failed ?? 0));
    const reasons = Object.keys(s.failures);
    for (const reason of reasons) {
      const delta = (s.failures[reason] ?? 0) - (p?.failures[reason] ?? 0);
      if (delta <= 0) continue;
      const known = p !== undefined && p.failures[reason] !== undefined;
      const label = known || reasons.length <= MAX_REASON_LABELS ? reason : 'other';
      this.failures.inc({ reason: label }, delta);
    }
    if (this.peerRtt && this.peerHeight) {
      this.peerRtt.reset();
      this.peerHeight.reset();
      for (const peer of s.peers) {
        if (peer.state !== 'ready') continue;
        if (peer.pingMs !== undefined) this.peerRtt.set({ address: peer.address }, peer.pingMs / 1000);
        if (peer.bestHeight !== undefined) this.peerHeight.set({ address: peer.address }, peer.bestHeight);
      }
    }
    this.previous = s;
  }

  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  stop(): void {
    for (const s of this.subscriptions) s.unsubscribe();
  }
}
