import { randomUUID } from 'node:crypto';
import type { Subscription } from 'rxjs';
import type { Node, NodeConnection } from '@peerscope/p2pnet';
import type { NumberStore } from './store.js';

/** What one node answers: its own numbers' subtotal and count. */
export interface NodeTotal {
  subtotal: bigint;
  count: number;
}

export interface SumResult {
  total: bigint;
  /** Numbers counted, over all nodes. */
  count: number;
  /** Each answering node's subtotal, by node id (each node at most once). */
  nodes: Map<string, NodeTotal>;
  /** Nodes that were asked (a neighbour somewhere on the way) but did not answer in time. */
  missing: string[];
  /** Nodes that answered an earlier sum but did not answer this one (and are not in `missing`). */
  lost: string[];
}

export interface SumOptions {
  /** Hop limit of the flood. */
  hops?: number;
  /** How long the asking node waits at most; each hop gets a little less. */
  timeoutMs?: number;
}

const HOP_MARGIN_MS = 150;
const SEEN_LIMIT = 10_000;

// Wire messages (JSON dicts, so a p2pnetwork node sees plain dicts). Numbers travel as decimal strings:
// JSON numbers lose precision past 2^53.
interface SumRequest {
  type: 'sum-request';
  rid: string;
  hops: number;
  budget_ms: number;
}
interface SumReply {
  type: 'sum-reply';
  rid: string;
  results: [string, string, number][];
  missing: string[];
}

interface Round {
  parent?: NodeConnection;
  pending: Map<string, string>;
  results: Map<string, NodeTotal>;
  missing: Set<string>;
  timer?: NodeJS.Timeout;
  done?: (r: Round) => void;
}

/**
 * The distributed sum over any topology: a request floods with an id and a hop limit, each node answers
 * once (duplicates get an empty answer so no one waits for them), answers flow back along the path the
 * request came (an echo wave), so the asking node learns every reachable node's subtotal exactly once,
 * and who did not answer.
 */
export class SumNode {
  private readonly rounds = new Map<string, Round>();
  private readonly seen = new Set<string>();
  private readonly known = new Set<string>();
  private readonly subs: Subscription[] = [];

  constructor(readonly node: Node, readonly store: NumberStore) {
    this.subs.push(
      node.on$('node-message').subscribe(({ node: from, data }) => this.onMessage(from, data)),
      node.on$('outbound-node-disconnected').subscribe(({ node: gone }) => this.onGone(gone)),
      node.on$('inbound-node-disconnected').subscribe(({ node: gone }) => this.onGone(gone)),
    );
  }

  add(value: bigint): Promise<void> {
    return this.store.add(value);
  }

  /** Asks the network for its sum. Never rejects: nodes that do not answer are listed. */
  requestSum(options: SumOptions = {}): Promise<SumResult> {
    const rid = randomUUID();
    const budget = options.timeoutMs ?? 5_000;
    return new Promise((resolve) => {
      const round = this.begin(rid, undefined, options.hops ?? 64, budget);
      const finish = (r: Round) => {
        let total = 0n;
        let count = 0;
        for (const t of r.results.values()) {
          total += t.subtotal;
          count += t.count;
        }
        const missing = [...r.missing].filter((id) => !r.results.has(id));
        const lost = [...this.known].filter((id) => !r.results.has(id) && !r.missing.has(id) && id !== this.node.id);
        for (const id of r.results.keys()) this.known.add(id);
        resolve({ total, count, nodes: r.results, missing, lost });
      };
      if (round.pending.size === 0) this.finish(rid, round, finish);
      else round.done = finish;
    });
  }

  close(): void {
    for (const s of this.subs) s.unsubscribe();
    for (const r of this.rounds.values()) clearTimeout(r.timer);
  }

  private begin(rid: string, parent: NodeConnection | undefined, hops: number, budget: number): Round {
    this.remember(rid);
    const round: Round = { parent, pending: new Map(), results: new Map(), missing: new Set() };
    round.results.set(this.node.id, { subtotal: this.store.subtotal, count: this.store.count });
    this.rounds.set(rid, round);
    const childBudget = budget - HOP_MARGIN_MS;
    if (hops > 1 && childBudget > 0) {
      const request: SumRequest = { type: 'sum-request', rid, hops: hops - 1, budget_ms: childBudget };
      for (const n of this.node.allNodes) {
        if (n === parent) continue;
        if (this.node.sendToNode(n, request as unknown as Record<string, unknown>)) round.pending.set(n.connectionId, n.id);
      }
    }
    round.timer = setTimeout(() => {
      for (const id of round.pending.values()) round.missing.add(id);
      round.pending.clear();
      this.finish(rid, round);
    }, budget);
    return round;
  }

  private onMessage(from: NodeConnection, data: unknown): void {
    if (!data || typeof data !== 'object') return;
    const msg = data as { type?: unknown; rid?: unknown; hops?: unknown; budget_ms?: unknown; results?: unknown; missing?: unknown };
    if (msg.type === 'sum-request' && typeof msg.rid === 'string') {
      if (this.seen.has(msg.rid)) {
        this.node.sendToNode(from, { type: 'sum-reply', rid: msg.rid, results: [], missing: [] });
        return;
      }
      const round = this.begin(msg.rid, from, Number(msg.hops) || 1, Math.max(0, Number(msg.budget_ms) || 0));
      if (round.pending.size === 0) this.finish(msg.rid, round);
    } else if (msg.type === 'sum-reply' && typeof msg.rid === 'string') {
      const round = this.rounds.get(msg.rid);
      if (!round || !round.pending.delete(from.connectionId)) return;
      for (const entry of Array.isArray(msg.results) ? (msg.results as unknown[]) : []) {
        const [id, subtotal, count] = Array.isArray(entry) ? entry : [];
        try {
          if (typeof id === 'string' && !round.results.has(id)) round.results.set(id, { subtotal: BigInt(subtotal), count: Number(count) });
        } catch {
          // A malformed subtotal from a peer is left out rather than poisoning the sum.
        }
      }
      for (const id of Array.isArray(msg.missing) ? (msg.missing as unknown[]) : []) if (typeof id === 'string') round.missing.add(id);
      if (round.pending.size === 0) this.finish(msg.rid, round);
    }
  }

  private onGone(gone: NodeConnection): void {
    for (const [rid, round] of this.rounds) {
      if (round.pending.delete(gone.connectionId)) {
        round.missing.add(gone.id);
        if (round.pending.size === 0) this.finish(rid, round);
      }
    }
  }

  private finish(rid: string, round: Round, done = round.done): void {
    if (this.rounds.get(rid) !== round) return;
    this.rounds.delete(rid);
    clearTimeout(round.timer);
    if (round.parent) {
      const reply: SumReply = {
        type: 'sum-reply',
        rid,
        results: [...round.results].map(([id, t]) => [id, t.subtotal.toString(), t.count]),
        missing: [...round.missing],
      };
      this.node.sendToNode(round.parent, reply as unknown as Record<string, unknown>);
    } else {
      done?.(round);
    }
  }

  private remember(rid: string): void {
    this.seen.add(rid);
    if (this.seen.size > SEEN_LIMIT) this.seen.delete(this.seen.values().next().value as string);
  }
}
