import { Observable, Subscriber, type Observer, type Operator, type Subscription, type TeardownLogic } from 'rxjs';

/**
 * An Observable whose subscribers' exceptions are handed to `onError` (with the value being delivered)
 * instead of rxjs's default, which rethrows them on a timer and so kills the process. Operators piped
 * from it keep the guard (lift returns another GuardedObservable), so `node.on$(…).subscribe(fn)` is
 * guarded too; the other subscribers still get the value.
 */
export class GuardedObservable<T> extends Observable<T> {
  constructor(
    private readonly onError: (error: unknown, value: unknown) => void,
    subscribe?: (this: Observable<T>, subscriber: Subscriber<T>) => TeardownLogic,
  ) {
    super(subscribe);
  }

  override lift<R>(operator?: Operator<T, R>): Observable<R> {
    const lifted = new GuardedObservable<R>(this.onError);
    lifted.source = this;
    lifted.operator = operator;
    return lifted;
  }

  override subscribe(
    observerOrNext?: Partial<Observer<T>> | ((value: T) => void) | null,
    error?: ((error: unknown) => void) | null,
    complete?: (() => void) | null,
  ): Subscription {
    // Subscribers are rxjs's own (operators, firstValueFrom): user code behind them is guarded where
    // it is subscribed.
    if (observerOrNext instanceof Subscriber) return super.subscribe(observerOrNext);
    const observer = typeof observerOrNext === 'function' ? { next: observerOrNext, error: error ?? undefined, complete: complete ?? undefined } : observerOrNext;
    const next = observer?.next;
    return super.subscribe({
      next: (value) => {
        try {
          next?.call(observer, value);
        } catch (err) {
          this.onError(err, value);
        }
      },
      error: observer?.error ? (err) => observer.error!.call(observer, err) : undefined,
      complete: observer?.complete ? () => observer.complete!.call(observer) : undefined,
    });
  }
}
