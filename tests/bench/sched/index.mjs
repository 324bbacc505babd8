/**
 * sched: does the proportional-share scheduler give busy guests the CPU it promises?
 *
 * On a hypervisor that owns one host core (hostCores: 1), three busy guests (hl-burn):
 *   weights 256:512:1024 (1:2:4) → target share w_i / Σw,
 *   caps 10/25/50 %            → target share = cap.
 * Measured share_i = the CPU time the host OS gave guest i's worker thread over a window after
 * the shares have settled ÷ the window (Linux /proc/self/task/<tid>/schedstat: independent of
 * the hypervisor's own accounting). A CPU share is time, as Xen's credit scheduler and Linux's
 * CFS hand it out. share_error_max = worst |measured − target| / target over both phases.
 *
 * Reported beside it: the instruction share MIPS_i / R, where R = MIPS of one busy guest alone
 * (the hypervisor's only guest, before the others boot and after they are gone). It is lower
 * than the time share at small shares because a guest that runs a few ms per period runs those
 * ms more slowly (caches and the host's idle CPU state after each wait).
 */
import { nodeHypervisor } from "../lib/ours.mjs";
import { measureMips, median, round, sleep } from "../lib/stats.mjs";
import { newThreads, threadCpuMs, threadIds } from "../lib/threads.mjs";

const WINDOW_MS = Number(process.env.HYPERLAB_BENCH_WINDOW_MS ?? 10_000);
const REF_WINDOW_MS = 5_000;
// After a guest starts spinning, v86's JIT and V8's compilers are busy for ~20 s (measured: four busy
// guests on two cores ran ~85 MIPS each 3–8 s in, ~134 MIPS each 25–30 s in).
const SETTLE_MS = Number(process.env.HYPERLAB_BENCH_SETTLE_MS ?? 15_000);
const WEIGHTS = [256, 512, 1024];
const CAPS = [10, 25, 50];

/** Averages each guest's metrics events (scheduled share, CPU %, throttled time) over a window. */
function watchMetrics(hv) {
  const seen = new Map();
  const off = hv.on("guest:metrics", (m) => {
    const s = seen.get(m.guest.name) ?? { n: 0, share: 0, cpu: 0, throttledMs: 0, ms: 0 };
    s.n++;
    s.share += m.share;
    s.cpu += m.cpuPercent;
    s.throttledMs += m.throttledMs;
    s.ms += m.intervalMs;
    seen.set(m.guest.name, s);
  });
  return (name) => {
    off.dispose();
    const s = seen.get(name);
    if (!s || s.n === 0) return { share: NaN, cpu: NaN, throttled: NaN };
    return { share: s.share / s.n, cpu: s.cpu / s.n, throttled: s.throttledMs / s.ms };
  };
}

export async function run({ report }) {
  const hv = await nodeHypervisor({ hostCores: 1 });
  try {
    const guests = [];
    for (let i = 0; i < WEIGHTS.length; i++) guests.push(await hv.create({ image: "linux", name: `g${i + 1}` }));
    const [first, ...others] = guests;
    const readers = guests.map((g) => () => g.counters());
    // Each guest's worker thread, for its CPU time (started one after the other to tell them apart).
    const threads = new Map();
    const boot = async (list) => {
      for (const g of list) {
        const before = threadIds();
        await g.start();
        threads.set(g.name, newThreads(before));
      }
      await Promise.all(list.map((g) => g.waitReady({ timeoutMs: 180_000 })));
      for (const g of list) await g.exec("hl-burn &");
    };

    // R: the first guest alone (the only guest of the hypervisor), no cap.
    const reference = async (label) => {
      await sleep(SETTLE_MS);
      const [m] = await measureMips([readers[0]], REF_WINDOW_MS);
      report.progress(`R (${label}) = ${m.mips.toFixed(1)} MIPS`);
      return m.mips;
    };

    const phase = async (label, quotas, targets) => {
      guests.forEach((g, i) => g.setQuota(quotas[i]));
      await sleep(SETTLE_MS);
      const metrics = watchMetrics(hv);
      const cpu0 = guests.map((g) => threadCpuMs(threads.get(g.name)));
      const measured = await measureMips(readers, WINDOW_MS);
      const cpuMs = guests.map((g, i) => threadCpuMs(threads.get(g.name)) - cpu0[i]);
      report.progress(`${label}: ${measured.map((m) => m.mips.toFixed(1)).join(", ")} MIPS`);
      return guests.map((g, i) => ({
        guest: g.name,
        quota: label === "weights" ? `weight ${quotas[i].weight}` : `cap ${quotas[i].cap}%`,
        target: targets[i],
        ...metrics(g.name),
        mips: measured[i].mips,
        onCpu: cpuMs[i] / measured[i].ms,
        perCpu: measured[i].instructions / cpuMs[i] / 1000,
      }));
    };

    report.progress("booting g1");
    await boot([first]);
    const r1 = await reference("before");
    report.progress("booting g2, g3");
    await boot(others);
    const sum = WEIGHTS.reduce((a, b) => a + b, 0);
    const weighted = await phase(
      "weights",
      WEIGHTS.map((weight) => ({ weight, cap: 0 })),
      WEIGHTS.map((w) => w / sum),
    );
    const capped = await phase(
      "caps",
      CAPS.map((cap) => ({ weight: 256, cap })),
      CAPS.map((c) => c / 100),
    );
    await Promise.all(others.map((g) => g.terminate()));
    first.setQuota({ cap: 0 });
    const r2 = await reference("after");
    const R = (r1 + r2) / 2;

    // Elsewhere than Linux there is no per-thread CPU time: fall back to the time in v86 slices.
    const fromOs = [...weighted, ...capped].every((row) => Number.isFinite(row.onCpu));
    const rows = [...weighted, ...capped].map((row) => {
      const share = fromOs ? row.onCpu : row.cpu / 100;
      const instructionShare = row.mips / R;
      return {
        ...row,
        measured: share,
        error: Math.abs(share - row.target) / row.target,
        instructionShare,
        instructionError: Math.abs(instructionShare - row.target) / row.target,
      };
    });
    const worst = Math.max(...rows.map((r) => r.error));
    const worstInstructions = Math.max(...rows.map((r) => r.instructionError));
    report.print(
      `sched: three busy guests on hostCores: 1; R = one busy guest alone = ${R.toFixed(1)} MIPS ` +
        `(before ${r1.toFixed(1)}, after ${r2.toFixed(1)}); windows of ${WINDOW_MS / 1000} s`,
    );
    report.print(
      (fromOs
        ? "measured = the worker thread's CPU time ÷ wall time (from the host OS); "
        : "measured = time in v86 slices ÷ wall time (no per-thread CPU time on this OS); ") +
        "scheduled = mean share the scheduler gave; cpu % = time in v86 slices (guest:metrics cpuPercent); " +
        "throttled = time held back by the budget; MIPS/R = instruction share; per CPU-s = MIPS per second on a CPU",
    );
    report.table(
      [
        "guest",
        "weight/cap",
        "target",
        "measured",
        "rel. error",
        "scheduled",
        "cpu %",
        "throttled",
        "MIPS",
        "MIPS/R",
        "per CPU-s",
      ],
      rows.map((r) => [
        r.guest,
        r.quota,
        round(r.target, 3),
        round(r.measured, 3),
        `${(r.error * 100).toFixed(1)}%`,
        round(r.share, 3),
        round(r.cpu, 1),
        `${(r.throttled * 100).toFixed(0)}%`,
        round(r.mips, 1),
        round(r.instructionShare, 3),
        Number.isFinite(r.perCpu) ? round(r.perCpu, 0) : "",
      ]),
    );
    report.metric({
      metric: "share_error_max",
      value: round(worst, 3),
      unit: "x",
      target: "<=0.05",
      n: rows.length,
      reference_mips: round(R, 1),
      reference_before_mips: round(r1, 1),
      reference_after_mips: round(r2, 1),
      window_ms: WINDOW_MS,
      measured_by: fromOs ? "thread CPU time" : "time in slices",
      median_error: round(median(rows.map((r) => r.error)), 3),
      shares: rows.map((r) => ({
        guest: r.guest,
        quota: r.quota,
        target: round(r.target, 4),
        measured: round(r.measured, 4),
        scheduled: round(r.share, 4),
        instruction_share: round(r.instructionShare, 4),
        mips: round(r.mips, 1),
      })),
    });
    report.metric({
      metric: "instruction_share_error_max",
      value: round(worstInstructions, 3),
      unit: "x",
      n: rows.length,
      reference_mips: round(R, 1),
    });
  } finally {
    await hv.shutdown();
  }
}
