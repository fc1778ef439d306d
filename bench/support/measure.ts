// What the benchmarks measure with, once: a full GC in this process, RSS once collections stop paying,
// the main thread's own CPU time, a measurement run in a fresh child process, medians.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';
import type { Executor } from '@peerscope/engine';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

let collect: (() => void) | undefined;
/** A full GC without --expose-gc on the command line (workers refuse that flag in execArgv). */
export function gc(): void {
  if (!collect) {
    v8.setFlagsFromString('--expose-gc');
    collect = vm.runInNewContext('gc') as () => void;
  }
  collect();
}

/**
 * RSS after full collections in every thread (each executor's peer threads and this one; this one
 * alone without executors), repeated until it stops falling: V8 compacts a fragmented heap over several.
 */
export async function settledRss(...executors: Executor[]): Promise<number> {
  let last = Infinity;
  for (let i = 0; i < 20; i++) {
    if (executors.length === 0) gc();
    for (const e of executors) await e.collectGarbage();
    await sleep(300);
    const rss = process.memoryUsage.rss();
    if (rss > last * 0.99) return rss;
    last = rss;
  }
  return last;
}

/** CPU seconds of this process's main thread (Linux: utime + stime of the thread whose tid is the pid). */
export function mainThreadCpuS(): number {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // fields 14, 15 of proc(5); USER_HZ is 100 on Linux
}

/** Runs the bench module `moduleUrl` again in a fresh process with `args`; resolves its last stdout line as JSON. */
export function runChild<T>(moduleUrl: string, args: string[]): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(moduleUrl), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.once('exit', (code) => {
      const line = out.trim().split('\n').at(-1) ?? '';
      if (code === 0 && line) resolve(JSON.parse(line) as T);
      else reject(new Error(`measurement ${args.join(' ')} exited ${code}`));
    });
  });
}

/** The median of the numbers that are not NaN (NaN when there are none). */
export function median(xs: number[]): number {
  const s = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
