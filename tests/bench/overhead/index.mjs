/**
 * overhead: MIPS of one busy guest (`hl-burn &`, a shell busy loop) under our layer ÷ the same
 * guest on bare v86, both booted in this process and running the loop. Medians over N windows.
 */
import { BareGuest } from "../lib/bare.mjs";
import { loadImage } from "../lib/image.mjs";
import { nodeHypervisor } from "../lib/ours.mjs";
import { InstructionMeter, measureMips, median, round, sleep } from "../lib/stats.mjs";
import { newThreads, threadCpuMs, threadIds } from "../lib/threads.mjs";

const N = Number(process.env.HYPERLAB_BENCH_N ?? 5);
const WINDOW_MS = Number(process.env.HYPERLAB_BENCH_WINDOW_MS ?? 5000);
const WARMUP_MS = Number(process.env.HYPERLAB_BENCH_WARMUP_MS ?? 4000);
/**
 * paired (default): both guests run at once and are measured over the same windows, so load
 * from other processes on the host hits both alike (the OS shares cores fairly between
 * threads). alternate: one runs while the other is paused, taking turns.
 */
const MODE = process.env.HYPERLAB_BENCH_MODE === "alternate" ? "alternate" : "paired";

export async function run({ report }) {
  const image = await loadImage("linux");
  const hv = await nodeHypervisor();
  const bare = new BareGuest(image);
  try {
    const guest = await hv.create({ image: "linux", name: "overhead" });
    report.progress("booting ours and bare");
    // One after the other, so that each worker's thread can be told apart (for CPU time).
    let before = threadIds();
    bare.start();
    await bare.counters();
    const bareThreads = newThreads(before);
    before = threadIds();
    await guest.start();
    const oursThreads = newThreads(before);
    // "ours (probes on)": the device probes count every port exit while we measure.
    // (HYPERLAB_BENCH_PROBES=0 leaves them off, to tell their cost from the rest of the layer.)
    const probes = typeof guest.setProbes === "function" && process.env.HYPERLAB_BENCH_PROBES !== "0";
    if (probes) await guest.setProbes(true);
    await Promise.all([guest.waitReady({ timeoutMs: 120_000 }), bare.waitReady({ timeoutMs: 120_000 })]);
    await guest.exec("hl-burn &");
    await bare.exec("hl-burn &");

    const sides = {
      ours: { read: () => guest.counters(), pause: () => guest.pause(), resume: () => guest.resume() },
      bare: { read: () => bare.counters(), pause: () => bare.pause(), resume: () => bare.resume() },
    };
    const rows = [];
    if (MODE === "paired") {
      // The JIT compiles the loop once it is hot: let both warm up first, counted in CPU time
      // where it is known (on a loaded host a thread may get a tenth of a core).
      const start = [threadCpuMs(oursThreads), threadCpuMs(bareThreads)];
      const deadline = Date.now() + 60_000;
      await sleep(WARMUP_MS);
      while (
        start[0] !== undefined &&
        start[1] !== undefined &&
        Date.now() < deadline &&
        Math.min(threadCpuMs(oursThreads) - start[0], threadCpuMs(bareThreads) - start[1]) < WARMUP_MS
      )
        await sleep(250);
      for (let i = 0; i < N; i++) {
        const cpu0 = [threadCpuMs(oursThreads), threadCpuMs(bareThreads)];
        const [o, b] = await measureMips([sides.ours.read, sides.bare.read], WINDOW_MS);
        const cpu = [threadCpuMs(oursThreads) - cpu0[0], threadCpuMs(bareThreads) - cpu0[1]];
        rows.push({
          window: i + 1,
          order: "together",
          ours: o.mips,
          bare: b.mips,
          oursCpu: cpu[0] / o.ms,
          bareCpu: cpu[1] / b.ms,
          oursPerCpu: o.instructions / cpu[0] / 1000,
          barePerCpu: b.instructions / cpu[1] / 1000,
        });
        report.progress(`window ${i + 1}/${N}: ours ${o.mips.toFixed(1)}, bare ${b.mips.toFixed(1)} MIPS`);
      }
    } else {
      await Promise.all([guest.pause(), bare.pause()]);
      for (let i = 0; i < N; i++) {
        const order = i % 2 === 0 ? ["ours", "bare"] : ["bare", "ours"];
        const row = { window: i + 1, order: order.join(" → ") };
        for (const name of order) {
          const side = sides[name];
          await side.resume();
          await sleep(WARMUP_MS);
          const meter = new InstructionMeter(side.read);
          await meter.start();
          await sleep(WINDOW_MS);
          row[name] = (await meter.stop()).mips;
          await side.pause();
          report.progress(`window ${i + 1}/${N}: ${name} ${row[name].toFixed(1)} MIPS`);
        }
        rows.push(row);
      }
    }

    const ours = median(rows.map((r) => r.ours));
    const bareMips = median(rows.map((r) => r.bare));
    // Paired windows: the median of the per-window ratios; alternating ones: ratio of medians.
    const wallRatio = MODE === "paired" ? median(rows.map((r) => r.ours / r.bare)) : ours / bareMips;
    report.print(
      `overhead: one busy guest (hl-burn), MIPS over ${WINDOW_MS / 1000} s windows (${MODE}), ` +
        `ours (probes ${probes ? "on" : "off"}) vs bare v86`,
    );
    const cpuKnown = rows.every((r) => Number.isFinite(r.oursPerCpu) && Number.isFinite(r.barePerCpu));
    const perCpuRatio = cpuKnown ? median(rows.map((r) => r.oursPerCpu / r.barePerCpu)) : undefined;
    // Per CPU-second where the threads' CPU time is known (Linux): what other processes on the
    // host take cancels out. On an idle host both ratios agree; on a loaded one only this holds.
    const ratio = perCpuRatio ?? wallRatio;
    if (cpuKnown) {
      report.print(
        "cpu % = the worker thread's CPU time ÷ wall time; per CPU-s = MIPS per second the thread was on a CPU",
      );
      report.table(
        [
          "window",
          "ours MIPS",
          "bare MIPS",
          "ours/bare",
          "ours cpu %",
          "bare cpu %",
          "ours per CPU-s",
          "bare per CPU-s",
          "ratio per CPU-s",
        ],
        [
          ...rows.map((r) => [
            r.window,
            round(r.ours, 1),
            round(r.bare, 1),
            round(r.ours / r.bare, 3),
            round(r.oursCpu * 100, 0),
            round(r.bareCpu * 100, 0),
            round(r.oursPerCpu, 1),
            round(r.barePerCpu, 1),
            round(r.oursPerCpu / r.barePerCpu, 3),
          ]),
          [
            "median",
            round(ours, 1),
            round(bareMips, 1),
            round(wallRatio, 3),
            undefined,
            undefined,
            round(median(rows.map((r) => r.oursPerCpu)), 1),
            round(median(rows.map((r) => r.barePerCpu)), 1),
            round(perCpuRatio, 3),
          ],
        ],
      );
    } else {
      report.table(
        ["window", "order", "ours MIPS", "bare MIPS", "ours/bare"],
        [
          ...rows.map((r) => [r.window, r.order, round(r.ours, 1), round(r.bare, 1), round(r.ours / r.bare, 3)]),
          ["median", "", round(ours, 1), round(bareMips, 1), round(wallRatio, 3)],
        ],
      );
    }
    report.metric({
      metric: "mips_ratio",
      value: round(ratio, 3),
      unit: "x",
      target: ">=0.97",
      n: N,
      ours_mips: round(ours, 1),
      bare_mips: round(bareMips, 1),
      window_ms: WINDOW_MS,
      mode: MODE,
      probes,
      basis: perCpuRatio === undefined ? "wall" : "cpu",
      wall_mips_ratio: round(wallRatio, 3),
      ...(perCpuRatio === undefined ? {} : { mips_per_cpu_ratio: round(perCpuRatio, 3) }),
      ours_windows_mips: rows.map((r) => round(r.ours, 1)),
      bare_windows_mips: rows.map((r) => round(r.bare, 1)),
    });
  } finally {
    await Promise.all([hv.shutdown(), bare.terminate()]);
  }
}
