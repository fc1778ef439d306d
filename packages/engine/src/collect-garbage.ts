import v8 from 'node:v8';
import vm from 'node:vm';

let gc: (() => void) | undefined;

/**
 * A full garbage collection of this thread's heap. V8 shrinks an idle main thread's heap on its own
 * (its memory reducer); a worker that has just accepted thousands of connections keeps the garbage of
 * the burst until its next allocation-driven collection. Workers refuse --expose-gc in execArgv, so the
 * flag is set at run time.
 */
export function collectGarbage(): void {
  if (!gc) {
    v8.setFlagsFromString('--expose-gc');
    gc = vm.runInNewContext('gc') as () => void;
  }
  // Compacting every page, not only the ones V8 judges fragmented enough: after a connection burst the
  // survivors are spread thin over many pages, which stay resident otherwise.
  v8.setFlagsFromString('--compact-on-every-full-gc');
  try {
    gc();
  } finally {
    v8.setFlagsFromString('--no-compact-on-every-full-gc');
  }
}

/** This thread's heap, as HeapStatistics. */
export function heapStatistics(): { used: number; total: number; physical: number; external: number } {
  const h = v8.getHeapStatistics();
  return { used: h.used_heap_size, total: h.total_heap_size, physical: h.total_physical_size, external: h.external_memory };
}
