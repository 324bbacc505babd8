/**
 * density: 1, 2, 4 and 8 guests × 32 MiB started together on the default Node hypervisor;
 * the time from starting them until every one has a shell ("hyperlab: ready" on ttyS0).
 * ratio_8_vs_1 = that time for 8 guests ÷ for one guest alone (cold boots).
 *
 * Beside the times, the CPU the whole process used meanwhile (every thread: the guests' workers
 * and V8's background compilers of v86's generated code) and the time the guests spent inside
 * v86 slices: how much of a boot can run in parallel, and what two cores can do at best.
 * The same counts are also started from the image's ready snapshot (instant launch, the app's
 * default), until each answers a command: reported, not the metric.
 *
 * One guest is booted and launched first and thrown away, so that one-time work (reading the
 * image and its ready snapshot, compiling v86.wasm) is in no row.
 */
import { nodeHypervisor } from "../lib/ours.mjs";
import { median, round, sleep } from "../lib/stats.mjs";

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
  const busy = new Map(guests.map((g) => [g.name, 0]));
  const off = hv.on(
    "guest:metrics",
    (m) =>
      busy.has(m.guest.name) && busy.set(m.guest.name, busy.get(m.guest.name) + (m.cpuPercent * m.intervalMs) / 100),
  );
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
    const all = Math.max(...ready);
    return {
      all,
      first: Math.min(...ready),
      median: median(ready),
      cpuMs: cpuMs() - cpu0,
      // Time in slices, from the metrics samples (every 500 ms; a short launch has few).
      busyMs: [...busy.values()].reduce((a, b) => a + b, 0),
    };
  } finally {
    off.dispose();
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
  for (const mode of ["cold", "instant"]) {
    const one = results[mode].get(1).all;
    report.print(
      mode === "cold"
        ? `density, cold boots: N guests × ${MEMORY_MIB} MiB started together (hostCores ${cores}); time until all have a shell`
        : `density, instant launch from the ready snapshot: time until every guest answers a command`,
    );
    const cold = mode === "cold";
    report.table(
      [
        "guests",
        "all ready ms",
        "first ms",
        "median ms",
        "vs 1 guest",
        "CPU s (all threads)",
        "CPU s per guest",
        ...(cold ? ["in slices s per guest"] : []),
      ],
      COUNTS.map((count) => {
        const r = results[mode].get(count);
        return [
          count,
          Math.round(r.all),
          Math.round(r.first),
          Math.round(r.median),
          round(r.all / one, 2),
          round(r.cpuMs / 1000, 2),
          round(r.cpuMs / 1000 / count, 2),
          ...(cold ? [round(r.busyMs / 1000 / count, 2)] : []),
        ];
      }),
    );
  }
  const cold1 = results.cold.get(1);
  const cold8 = results.cold.get(8);
  // Each guest's slices run on one thread: eight guests' slices on `cores` cores take at least
  // 8 × (one guest's time in slices) ÷ cores, however the rest is overlapped.
  const floor = (8 * (cold1.busyMs || cold1.all)) / cores / cold1.all;
  report.print(
    `one cold boot: ${round(cold1.all / 1000, 2)} s, of which at least ${round(cold1.busyMs / 1000, 2)} s inside v86 ` +
      `slices (one thread; sampled every 500 ms, the last part is not counted) and ${round(cold1.cpuMs / 1000, 2)} s ` +
      `of CPU on all threads. Eight boots on ${cores} cores need ≥ 8 × ${round(cold1.busyMs / 1000, 2)} s ÷ ${cores} ` +
      `of slices alone: ratio ≥ ${round(floor, 2)} on this host, however the rest overlaps.`,
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
    slices_ms_1: Math.round(cold1.busyMs),
    ratio_floor_from_slices: round(floor, 2),
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
