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

/**
 * Limits on what a peer can make a node hold. Request ids are ours (a UUID, 36 characters) or a
 * p2pnetwork node's: anything longer than MAX_RID_LENGTH, or not printable ASCII, is not a request.
 * The seen-set (ids already answered, so a flood reaching us twice is answered once) is bounded by
 * count and by bytes; the rounds a node forwards for others are bounded per parent connection and in
 * all, since each holds a timer and a map until its budget runs out.
 */
export const SUM_LIMITS = {
  maxRidLength: 128,
  seenMaxIds: 10_000,
  seenMaxBytes: 1024 * 1024,
  /** setTimeout fires after 1 ms for anything above 2^31-1 ms. */
  maxBudgetMs: 2 ** 31 - 1,
  maxHops: 255,
  /** Rounds forwarded for one neighbour at once; more get an empty answer at once. */
  maxRoundsPerPeer: 100,
  /** Rounds forwarded for all neighbours at once. */
  maxRounds: 2_000,
  /** Entries taken from one reply (results and missing), and longest node id kept. */
  maxReplyEntries: 10_000,
  maxNodeIdLength: 1024,
} as const;
const RID = /^[\x21-\x7e]+$/;

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
  /** Unset for our own requests (the asker's rounds). */
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
  /** Request ids already seen, oldest first, with the bytes they take (ids are ASCII: one byte a char). */
  private readonly seen = new Set<string>();
  private seenBytes = 0;
  /** Forwarded rounds held open per parent connection. */
  private readonly openFor = new Map<string, number>();
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
    const budget = Math.min(SUM_LIMITS.maxBudgetMs, Math.max(0, options.timeoutMs ?? 5_000));
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
    if (parent) this.openFor.set(parent.connectionId, (this.openFor.get(parent.connectionId) ?? 0) + 1);
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
    if (typeof msg.rid !== 'string' || msg.rid.length > SUM_LIMITS.maxRidLength || !RID.test(msg.rid)) return;
    if (msg.type === 'sum-request') {
      // A round still open (ours above all: the asker's round must never be taken over) or an id seen
      // before: answer empty so the sender does not wait for us.
      const busy = this.rounds.size >= SUM_LIMITS.maxRounds || (this.openFor.get(from.connectionId) ?? 0) >= SUM_LIMITS.maxRoundsPerPeer;
      if (this.rounds.has(msg.rid) || this.seen.has(msg.rid) || busy) {
        this.node.sendToNode(from, { type: 'sum-reply', rid: msg.rid, results: [], missing: [] });
        return;
      }
      const hops = Math.min(SUM_LIMITS.maxHops, Math.max(1, Math.floor(Number(msg.hops)) || 1));
      const budget = Math.min(SUM_LIMITS.maxBudgetMs, Math.max(0, Math.floor(Number(msg.budget_ms)) || 0));
      const round = this.begin(msg.rid, from, hops, budget);
      if (round.pending.size === 0) this.finish(msg.rid, round);
    } else if (msg.type === 'sum-reply') {
      const round = this.rounds.get(msg.rid);
      if (!round || !round.pending.delete(from.connectionId)) return;
      const entries = (v: unknown) => (Array.isArray(v) ? (v as unknown[]).slice(0, SUM_LIMITS.maxReplyEntries) : []);
      const nodeId = (id: unknown): id is string => typeof id === 'string' && id.length > 0 && id.length <= SUM_LIMITS.maxNodeIdLength;
      for (const entry of entries(msg.results)) {
        const [id, subtotal, count] = Array.isArray(entry) ? entry : [];
        try {
          if (nodeId(id) && !round.results.has(id) && (typeof subtotal === 'string' || typeof subtotal === 'number')) {
            round.results.set(id, { subtotal: BigInt(subtotal), count: Number(count) });
          }
        } catch {
          // A malformed subtotal from a peer is left out rather than poisoning the sum.
        }
      }
      for (const id of entries(msg.missing)) if (nodeId(id)) round.missing.add(id);
      if (round.pending.size === 0) this.finish(msg.rid, round);
    }
  }

  private onGone(gone: NodeConnection): void {
    for (const [rid, round] of this.rounds) {
      if (round.parent === gone) {
        // Nobody is left to answer: drop the round (and its timer) now rather than when its budget ends.
        this.drop(rid, round);
        continue;
      }
      if (round.pending.delete(gone.connectionId)) {
        round.missing.add(gone.id);
        if (round.pending.size === 0) this.finish(rid, round);
      }
    }
  }

  private drop(rid: string, round: Round): boolean {
    if (this.rounds.get(rid) !== round) return false;
    this.rounds.delete(rid);
    clearTimeout(round.timer);
    if (round.parent) {
      const id = round.parent.connectionId;
      const open = (this.openFor.get(id) ?? 1) - 1;
      if (open > 0) this.openFor.set(id, open);
      else this.openFor.delete(id);
    }
    return true;
  }

  private finish(rid: string, round: Round, done = round.done): void {
    if (!this.drop(rid, round)) return;
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
    if (this.seen.has(rid)) return;
    this.seen.add(rid);
    this.seenBytes += rid.length;
    while (this.seen.size > SUM_LIMITS.seenMaxIds || this.seenBytes > SUM_LIMITS.seenMaxBytes) {
      const oldest = this.seen.values().next().value as string;
      this.seen.delete(oldest);
      this.seenBytes -= oldest.length;
    }
  }

  /** What the node holds for others: for tests and the reliability figures. */
  get held(): { rounds: number; seen: number; seenBytes: number } {
    return { rounds: this.rounds.size, seen: this.seen.size, seenBytes: this.seenBytes };
  }
}
