/**
 * CPU time of a worker thread, from Linux's /proc/self/task/<tid>/schedstat (ns on a CPU).
 * A guest's MIPS per CPU-second is robust to other processes on the host, where its MIPS per
 * wall second is not. Elsewhere than Linux these return undefined and the benches skip it.
 */
import { readFileSync, readdirSync } from "node:fs";

export function threadIds() {
  try {
    return new Set(readdirSync("/proc/self/task"));
  } catch {
    return undefined;
  }
}

/** The threads that appeared since `before` (a worker adds one). */
export function newThreads(before) {
  const now = threadIds();
  if (!before || !now) return undefined;
  return [...now].filter((t) => !before.has(t));
}

/** Summed CPU time of `tids`, in ms. */
export function threadCpuMs(tids) {
  if (!tids || tids.length === 0) return undefined;
  let ns = 0;
  for (const tid of tids) {
    try {
      ns += Number(readFileSync(`/proc/self/task/${tid}/schedstat`, "utf8").split(" ")[0]);
    } catch {
      // the thread has ended
    }
  }
  return ns / 1e6;
}
