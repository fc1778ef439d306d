import { afterEach, describe, expect, it, vi } from 'vitest';
import { BurstCompactor } from '../src/burst-compactor.js';

afterEach(() => vi.useRealTimers());

describe('burst compactor: one compacting collection once a burst of connections is over', () => {
  it('compacts once, when the burst has gone quiet, and not before', () => {
    vi.useFakeTimers();
    const compact = vi.fn();
    const c = new BurstCompactor(compact, 100, 1_000);
    for (let i = 0; i < 150; i++) {
      c.peerStarted();
      vi.advanceTimersByTime(5); // peers keep arriving: never quiet for a second
    }
    expect(compact).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1_000);
    expect(compact).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(60_000);
    expect(compact).toHaveBeenCalledTimes(1);
  });

  it('leaves a few connections alone, and counts afresh after each compaction', () => {
    vi.useFakeTimers();
    const compact = vi.fn();
    const c = new BurstCompactor(compact, 100, 1_000);
    for (let i = 0; i < 99; i++) c.peerStarted();
    vi.advanceTimersByTime(10_000);
    expect(compact).not.toHaveBeenCalled();
    c.peerStarted();
    vi.advanceTimersByTime(1_000);
    expect(compact).toHaveBeenCalledTimes(1);
    for (let i = 0; i < 50; i++) c.peerStarted();
    vi.advanceTimersByTime(10_000);
    expect(compact).toHaveBeenCalledTimes(1);
  });

  it('stop() cancels a pending compaction', () => {
    vi.useFakeTimers();
    const compact = vi.fn();
    const c = new BurstCompactor(compact, 1, 1_000);
    c.peerStarted();
    c.stop();
    vi.advanceTimersByTime(5_000);
    expect(compact).not.toHaveBeenCalled();
  });
});
