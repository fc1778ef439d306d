import { backoffDelay, type FailureReason } from '@peerscope/engine';
import type { NodeConnection } from './node-connection.js';
import type { NodeEvent } from './node-events.js';

export interface ReconnectPolicy {
  /** First retry after this long; each further retry waits twice as long, up to maxDelayMs (the engine's backoffDelay). */
  initialDelayMs: number;
  maxDelayMs: number;
  /** Give up after this many failed attempts in a row (Infinity: never). */
  maxAttempts: number;
}

export const DEFAULT_RECONNECT: ReconnectPolicy = { initialDelayMs: 100, maxDelayMs: 5_000, maxAttempts: Infinity };

/** A connection that could not be made, with the engine's typed reason. */
export class ConnectError extends Error {
  constructor(readonly reason: FailureReason, message: string) {
    super(message);
    this.name = 'ConnectError';
  }
}

/** What the dialler asks of its node. */
export interface DiallerHost {
  /** Starts an outbound connection; returns its connection id. */
  dial(host: string, port: number): string;
  /** Asks the application before a retry (nodeReconnectionError); false gives up. */
  retryAllowed(host: string, port: number, attempt: number): boolean;
  emit(event: NodeEvent): void;
}

/** An address the node was asked to connect to: one connection at a time, retried if asked to. */
interface Target {
  key: string;
  host: string;
  port: number;
  reconnect: boolean;
  /** Failed attempts in a row. */
  failures: number;
  timer?: NodeJS.Timeout;
  connId?: string;
  settle?: { resolve(node: NodeConnection): void; reject(err: ConnectError): void };
}

/** connectWithNode's promises, and the reconnect-with-backoff of the addresses that asked for it. */
export class Dialler {
  private readonly targets = new Map<string, Target>();
  private readonly byConn = new Map<string, Target>();

  constructor(
    private readonly policy: ReconnectPolicy,
    private readonly host: DiallerHost,
  ) {}

  has(host: string, port: number): boolean {
    return this.targets.has(key(host, port));
  }

  connect(host: string, port: number, reconnect: boolean): Promise<NodeConnection> {
    const target: Target = { key: key(host, port), host, port, reconnect, failures: 0 };
    this.targets.set(target.key, target);
    return new Promise<NodeConnection>((resolve, reject) => {
      target.settle = { resolve, reject };
      this.dial(target);
    });
  }

  /** An outbound connection finished its handshake. */
  connected(connId: string, node: NodeConnection): void {
    const target = this.byConn.get(connId);
    if (!target) return;
    target.failures = 0;
    const settle = target.settle;
    target.settle = undefined;
    settle?.resolve(node);
  }

  /** An outbound connection ended (before or after its handshake); `final`: do not retry (the node is stopping). */
  ended(connId: string, reason: FailureReason, detail: string | undefined, final: boolean): void {
    const target = this.byConn.get(connId);
    if (!target) return;
    this.byConn.delete(connId);
    target.connId = undefined;
    const settle = target.settle;
    target.settle = undefined;
    settle?.reject(new ConnectError(reason, `${target.host}:${target.port}: ${reason}${detail ? ` (${detail})` : ''}`));
    const wanted = this.targets.get(target.key) === target && target.reconnect && !final;
    // Refused as ourselves or as a duplicate: dialling again would get the same answer.
    if (!wanted || reason === 'self-connection' || reason === 'duplicate') return this.forget(target);
    target.failures++;
    if (target.failures > this.policy.maxAttempts || !this.host.retryAllowed(target.host, target.port, target.failures)) return this.forget(target);
    const delayMs = backoffDelay({ baseMs: this.policy.initialDelayMs, maxMs: this.policy.maxDelayMs }, target.failures);
    this.host.emit({ type: 'reconnecting', host: target.host, port: target.port, attempt: target.failures, delayMs });
    target.timer = setTimeout(() => {
      target.timer = undefined;
      if (this.targets.get(target.key) === target) this.dial(target);
    }, delayMs);
  }

  /** Stops keeping the address of this connection (disconnectWithNode): it is not reconnected. */
  forgetConnection(connId: string): void {
    const target = this.byConn.get(connId);
    if (target) this.forget(target);
  }

  forgetAll(): void {
    for (const target of [...this.targets.values()]) this.forget(target);
  }

  private dial(target: Target): void {
    target.connId = this.host.dial(target.host, target.port);
    this.byConn.set(target.connId, target);
  }

  private forget(target: Target): void {
    clearTimeout(target.timer);
    if (this.targets.get(target.key) === target) this.targets.delete(target.key);
  }
}

function key(host: string, port: number): string {
  return `${host}:${port}`;
}
