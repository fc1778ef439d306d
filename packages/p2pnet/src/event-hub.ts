import { Subject, type Observable } from 'rxjs';
import { GuardedObservable } from './guarded-observable.js';
import { NodeConnection } from './node-connection.js';
import type { NodeEvent } from './node-events.js';

/**
 * Where a node's events go out (events$ and the hook methods), and the fence around the application
 * code they run: an exception in a hook or a subscriber is the application's bug, not the peer's, so
 * it is counted and reported as an 'error' event and the connection goes on.
 */
export class EventHub {
  readonly events$: Observable<NodeEvent>;
  private readonly subject = new Subject<NodeEvent>();

  constructor(private readonly counts: { errors: number }) {
    // rxjs would rethrow a subscriber's exception on a timer (an uncaught exception, the end of the process).
    this.events$ = new GuardedObservable<NodeEvent>((error, value) => this.subscriberFailed(error, value), (subscriber) => this.subject.subscribe(subscriber));
  }

  emit(event: NodeEvent): void {
    if (!this.subject.closed) this.subject.next(event);
  }

  /** Runs a hook method, then emits its event (also when the hook threw). */
  hook(name: string, call: () => void, event: NodeEvent): void {
    this.guard(name, call, 'node' in event ? event.node : undefined);
    this.emit(event);
  }

  /** Runs application code; undefined if it threw. */
  guard<T>(name: string, call: () => T, node?: NodeConnection): T | undefined {
    try {
      return call();
    } catch (error) {
      this.counts.errors++;
      this.emit({ type: 'error', hook: name, error, message: errorMessage(error), ...(node && { node }) });
      return undefined;
    }
  }

  complete(): void {
    this.subject.complete();
  }

  private subscriberFailed(error: unknown, value: unknown): void {
    this.counts.errors++;
    // What the subscriber got: an event, or whatever an operator made of one.
    const event = typeof value === 'object' && value !== null ? (value as Partial<NodeEvent>) : undefined;
    // An 'error' subscriber that throws is counted, not reported again (that would loop).
    if (event?.type === 'error') return;
    const node = event && 'node' in event && event.node instanceof NodeConnection ? event.node : undefined;
    this.emit({ type: 'error', hook: `subscriber:${String(event?.type ?? 'events$')}`, error, message: errorMessage(error), ...(node && { node }) });
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
