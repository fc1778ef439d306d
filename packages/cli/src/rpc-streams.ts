import { Subject } from 'rxjs';
import { buildSnapshot, EMPTY_TOTALS, reducePeer, type NetworkSnapshot, type PeerEvent, type PeerStats } from '@peerscope/engine';
import type { RpcSnapshot } from '@peerscope/ethereum';

/**
 * JSON-RPC polls as a monitor's streams, so history, /metrics and the page follow `monitor
 * ethereum-rpc` as they follow a peer monitor: each endpoint is a peer (ready while it answers, failed
 * when it stops: a new session when it answers again), its client version the user agent, its block
 * number the height (and the latest block's hash as a `block` app event), the poll's wall time the RTT.
 */
export class RpcStreams {
  readonly events$ = new Subject<PeerEvent>();
  readonly stats$ = new Subject<NetworkSnapshot>();
  private readonly peers = new Map<string, PeerStats>();
  private readonly sessions = new Map<string, number>();
  private readonly startedAt = Date.now();
  private failed: Record<string, number> = {};
  private handshakes = 0;
  private last?: NetworkSnapshot;

  constructor(private readonly urls: string[]) {}

  private emit(e: PeerEvent): void {
    this.peers.set(e.peer, reducePeer(this.peers.get(e.peer), e));
    this.events$.next(e);
  }

  private idOf(url: string): string {
    return `rpc${this.urls.indexOf(url)}-${this.sessions.get(url) ?? 0}`;
  }

  poll(snapshots: RpcSnapshot[]): void {
    for (const s of snapshots) {
      let peer = this.idOf(s.url);
      let current = this.peers.get(peer);
      const base = { address: s.url, at: s.at };
      if (current && (current.state === 'failed' || current.state === 'closed') && !s.error) {
        this.sessions.set(s.url, (this.sessions.get(s.url) ?? 0) + 1);
        peer = this.idOf(s.url);
        current = undefined;
      }
      if (!current) this.emit({ ...base, peer, type: 'state', state: 'connecting' });
      const state = this.peers.get(peer)!.state;
      if (s.error) {
        if (state !== 'failed') {
          const reason = s.error.kind === 'timeout' ? 'timeout-connect' : 'unreachable';
          this.failed[reason] = (this.failed[reason] ?? 0) + 1;
          this.emit({ ...base, peer, type: 'state', state: 'failed', reason, detail: s.error.message });
        }
        continue;
      }
      if (state !== 'ready') {
        this.emit({
          ...base, peer, type: 'handshake',
          info: { userAgent: s.clientVersion, version: s.chainId, details: { networkId: s.networkId ?? null, chainId: s.chainId ?? null } },
        });
        this.emit({ ...base, peer, type: 'state', state: 'ready' });
        this.handshakes++;
      }
      this.emit({ ...base, peer, type: 'rtt', ms: s.latencyMs });
      if (s.blockNumber !== undefined) this.emit({ ...base, peer, type: 'height', height: s.blockNumber });
      if (s.latestBlock) this.emit({ ...base, peer, type: 'app', name: 'block', data: { height: s.latestBlock.number, hash: s.latestBlock.hash } });
    }
    this.snapshot();
  }

  private snapshot(): void {
    const known = this.urls.length;
    this.last = buildSnapshot({
      peers: this.peers.values(), totals: { ...EMPTY_TOTALS, failures: { ...this.failed }, known, tried: known, handshakesSucceeded: this.handshakes },
      target: known, startedAt: this.startedAt, now: Date.now(), previous: this.last,
    });
    this.stats$.next(this.last);
  }

  /** The run is over: every endpoint still answering is closed, a final snapshot, the streams complete. */
  end(): void {
    const at = Date.now();
    for (const p of [...this.peers.values()]) {
      if (p.state === 'ready' || p.state === 'connecting') this.emit({ peer: p.id, address: p.address, at, type: 'state', state: 'closed', reason: 'stopped' });
    }
    this.snapshot();
    this.events$.complete();
    this.stats$.complete();
  }
}
