import { from, Observable, type ObservableInput, type OperatorFunction, type Subscription } from 'rxjs';
import type { PeerEvent } from '../events.js';
import { StatsCollector, type StatsState } from './collector.js';

/**
 * Folds event batches into the session's stats: the reducers applied by one accumulator made for each
 * subscription (a `scan` whose seed is made per subscriber, so two subscribers never share, or corrupt,
 * each other's state). Emits the state on subscribe, then after every batch.
 *
 * The state emitted is always the same holder, updated between emissions: read it when it arrives (or
 * when sampled); keep what it holds, never the holder (its PeerStats and Totals never change).
 */
export function reduceStats(): OperatorFunction<readonly PeerEvent[], StatsState> {
  return (batches) =>
    new Observable<StatsState>((subscriber) => {
      const state = new StatsCollector();
      subscriber.next(state);
      return batches.subscribe({
        next: (batch) => subscriber.next(state.applyBatch(batch)),
        error: (err: unknown) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
    });
}

/**
 * sampleTime's sibling for a live view: at every tick, the latest value the source has emitted, even if
 * it has not emitted since the last tick (a quiet network still moves: uptime, rates falling to zero).
 * Nothing waits on it: a tick missed while the thread was busy is gone, never made up later. Completes
 * with the source; the ticks alone do not end it.
 */
export function sampleOn<T>(ticks: Observable<unknown>): OperatorFunction<T, T> {
  return (source) =>
    new Observable<T>((subscriber) => {
      let has = false;
      let latest: T;
      const upstream = source.subscribe({
        next: (value) => {
          latest = value;
          has = true;
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
      const clock = ticks.subscribe({
        next: () => {
          if (has) subscriber.next(latest);
        },
        error: (err: unknown) => subscriber.error(err),
      });
      return () => {
        upstream.unsubscribe();
        clock.unsubscribe();
      };
    });
}

/**
 * For a subscriber whose work on a value takes a while (a write to a slow pipe, a database insert):
 * runs `work` for one value at a time, and of the values that arrive meanwhile keeps only the newest,
 * which runs next. A busy view skips intermediate snapshots, never queues them, and still gets the last
 * one (the final snapshot of a stopped monitor). Nothing upstream waits for it.
 */
export function conflate<T, R = unknown>(work: (value: T) => ObservableInput<R> | void): OperatorFunction<T, R> {
  return (source) =>
    new Observable<R>((subscriber) => {
      let busy = false;
      let done = false;
      let waiting: { value: T } | undefined;
      let inner: Subscription | undefined;
      const run = (value: T): void => {
        const result = work(value);
        if (result === undefined || result === null) return finished();
        busy = true;
        inner = from(result).subscribe({
          next: (r) => subscriber.next(r),
          error: (err: unknown) => subscriber.error(err),
          complete: () => {
            busy = false;
            finished();
          },
        });
      };
      const finished = (): void => {
        if (waiting) {
          const { value } = waiting;
          waiting = undefined;
          run(value);
        } else if (done) subscriber.complete();
      };
      const upstream = source.subscribe({
        next: (value) => {
          if (busy) waiting = { value };
          else run(value);
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => {
          done = true;
          if (!busy) subscriber.complete();
        },
      });
      return () => {
        upstream.unsubscribe();
        inner?.unsubscribe();
      };
    });
}

/** Batches to single values, in order: a loop, not an operator chain per value. */
export function flattenBatches<T>(): OperatorFunction<readonly T[], T> {
  return (batches) =>
    new Observable<T>((subscriber) =>
      batches.subscribe({
        next: (batch) => {
          for (let i = 0; i < batch.length && !subscriber.closed; i++) subscriber.next(batch[i]);
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => subscriber.complete(),
      }),
    );
}
