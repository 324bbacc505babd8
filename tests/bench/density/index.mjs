/**
 * density: 1, 2, 4 and 8 guests × 32 MiB started together on the default Node hypervisor;
 * the time from starting them until every one has a shell ("hyperlab: ready" on ttyS0).
 * ratio_8_vs_1 = that time for 8 guests ÷ for one guest alone (cold boots).
 *
 * Beside the times, the CPU the whole process used meanwhile (every thread: the guests' workers
 * and V8's background compilers of v86's generated code) and the CPU of the guests' own worker
 * threads (Linux), where v86 runs: a guest's emulation cannot be spread over cores, so eight
 * guests on N cores take at least 8 × one guest's worker CPU ÷ N.
 * The same counts are also started from the image's ready snapshot (instant launch, the app's
 * default), until each answers a command: reported, not the metric.
 *
 * One guest is booted and launched first and thrown away, so that one-time work (reading the
 * image and its ready snapshot, compiling v86.wasm) is in no row.
 */
import { nodeHypervisor } from "../lib/ours.mjs";
import { median, round, sleep } from "../lib/stats.mjs";
import { newThreads, threadCpuMs, threadIds } from "../lib/threads.mjs";

const COUNTS = [1, 2, 4, 8];
const MEMORY_MIB = 32;
const TIMEOUT_MS = 240_000;

const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

async function startTogether(hv, count, mode) {
  const guests = [];
  for (let i = 0; i < count; i++)
    guests.push(await hv.create({ image: "linux", name: `d${count}-${mode}-${i + 1}`, memoryMiB: MEMORY_MIB }));
  const before = threadIds();
  try {
    const cpu0 = cpuMs();
    const t0 = performance.now();
    const ready = await Promise.all(
      guests.map(async (g) => {
        if (mode === "instant") {
          const { instant, reason } = await hv.startInstant(g);
          if (!instant) throw new Error(`${g.name} did not launch from a ready snapshot: ${reason}`);
          await g.exec("echo up", { timeoutMs: TIMEOUT_MS });
        } else {
          await g.start();
          await g.waitReady({ timeoutMs: TIMEOUT_MS });
        }
        return performance.now() - t0;
      }),
    );
    return {
      all: Math.max(...ready),
      first: Math.min(...ready),
      median: median(ready),
      cpuMs: cpuMs() - cpu0,
      workersMs: threadCpuMs(newThreads(before)),
    };
  } finally {
    await Promise.all(guests.map((g) => g.terminate()));
  }
}

export async function run({ report }) {
  const hv = await nodeHypervisor();
  const results = { cold: new Map(), instant: new Map() };
  try {
    report.progress("warm-up: one cold boot and one instant launch, not counted");
    await startTogether(hv, 1, "cold");
    await startTogether(hv, 1, "instant");
    for (const mode of ["cold", "instant"]) {
      for (const count of COUNTS) {
        await sleep(500);
        results[mode].set(count, await startTogether(hv, count, mode));
        report.progress(`${mode}, ${count} guest(s): all ready after ${Math.round(results[mode].get(count).all)} ms`);
      }
    }
  } finally {
    await hv.shutdown();
  }
  const cores = hv.hostCores;
  const seconds = (ms) => (Number.isFinite(ms) ? round(ms / 1000, 2) : "");
  for (const mode of ["cold", "instant"]) {
    const one = results[mode].get(1).all;
    report.print(
      mode === "cold"
        ? `density, cold boots: N guests × ${MEMORY_MIB} MiB started together (hostCores ${cores}); time until all have a shell`
        : `density, instant launch from the ready snapshot: time until every guest answers a command`,
    );
    report.table(
      ["guests", "all ready ms", "first ms", "median ms", "vs 1 guest", "CPU s, all threads", "worker CPU s per guest"],
      COUNTS.map((count) => {
        const r = results[mode].get(count);
        return [
          count,
          Math.round(r.all),
          Math.round(r.first),
          Math.round(r.median),
          round(r.all / one, 2),
          seconds(r.cpuMs),
          seconds(r.workersMs / count),
        ];
      }),
    );
  }
  const cold1 = results.cold.get(1);
  const cold8 = results.cold.get(8);
  const floor = Number.isFinite(cold1.workersMs) ? (8 * cold1.workersMs) / cores / cold1.all : undefined;
  if (floor !== undefined)
    report.print(
      `one cold boot: ${seconds(cold1.all)} s; its worker thread (v86) was on a CPU for ${seconds(cold1.workersMs)} s ` +
        `and the whole process used ${seconds(cold1.cpuMs)} CPU-s. Eight guests' workers on ${cores} cores need ` +
        `≥ 8 × ${seconds(cold1.workersMs)} s ÷ ${cores}: ratio ≥ ${round(floor, 2)} on this host.`,
    );
  report.print();
  report.metric({
    metric: "ratio_8_vs_1",
    value: round(cold8.all / cold1.all, 2),
    unit: "x",
    target: "<=2.5",
    n: 1,
    ...Object.fromEntries(COUNTS.map((c) => [`all_ready_ms_${c}`, Math.round(results.cold.get(c).all)])),
    cpu_ms_1: Math.round(cold1.cpuMs),
    cpu_ms_8: Math.round(cold8.cpuMs),
    worker_cpu_ms_1: Number.isFinite(cold1.workersMs) ? Math.round(cold1.workersMs) : undefined,
    ratio_floor: floor === undefined ? undefined : round(floor, 2),
    memory_mib: MEMORY_MIB,
    host_cores: cores,
  });
  report.metric({
    metric: "ratio_8_vs_1_instant",
    value: round(results.instant.get(8).all / results.instant.get(1).all, 2),
    unit: "x",
    n: 1,
    ...Object.fromEntries(COUNTS.map((c) => [`all_ready_ms_${c}`, Math.round(results.instant.get(c).all)])),
  });
}
