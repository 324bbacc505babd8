/**
 * paths: the same workload through the full-virtualization and the paravirtual device of each
 * pair — console (8250 UART vs virtio-console), network (NE2000 vs virtio-net, ping round trips
 * answered by the host), storage (IDE disk vs virtio-9p share) — measured by the guests' device
 * probes: port exits per KiB, notifications and IRQs per KiB, bytes per exit, KiB/s while the
 * device moved data. Medians over N runs, all in one process.
 */
import { pathSpec, runPath } from "@hyperlab/core";
import { nodeHypervisor } from "../lib/ours.mjs";
import { median, round } from "../lib/stats.mjs";

const N = Number(process.env.HYPERLAB_BENCH_N ?? 3);
/** KiB per run and pair; the console's is fixed by CONVENTIONS.md (1 MiB). */
const KIB = {
  console: Number(process.env.HYPERLAB_BENCH_CONSOLE_KIB ?? 1024),
  network: Number(process.env.HYPERLAB_BENCH_NET_KIB ?? 512),
  storage: Number(process.env.HYPERLAB_BENCH_STORAGE_KIB ?? 2048),
};
const TIMEOUT_MS = 300_000;

async function bootGuest(hv, name, spec) {
  const guest = await hv.create({ image: "linux", name, ...spec });
  await guest.start();
  await guest.waitReady({ timeoutMs: 120_000 });
  if (spec.console === "both") await guest.waitReady({ console: "virtio", timeoutMs: 120_000 });
  await guest.setProbes(true);
  return guest;
}

/** Runs both sides of a pair N times, alternating which goes first; returns medians per side. */
async function measurePair(report, pair, guests) {
  const runs = { full: [], paravirtual: [] };
  for (let i = 0; i < N; i++) {
    const order = i % 2 === 0 ? ["full", "paravirtual"] : ["paravirtual", "full"];
    for (const side of order) {
      const result = await runPath(guests[side], pair, side, KIB[pair], { timeoutMs: TIMEOUT_MS });
      runs[side].push(result);
      report.progress(
        `${pair} ${side} run ${i + 1}/${N}: ${round(result.exitsPerKiB, 2)} exits/KiB, ${Math.round(result.kibPerSecond)} KiB/s`,
      );
    }
  }
  const summary = {};
  for (const side of ["full", "paravirtual"]) {
    const r = runs[side];
    const m = (f) => median(r.map(f));
    summary[side] = {
      device: r[0].device,
      kib: r[0].kib,
      exitsPerKiB: m((x) => x.exitsPerKiB),
      notificationsPerKiB: m((x) => x.notifications / x.kib),
      irqsPerKiB: m((x) => x.irqsPerKiB),
      bytesPerExit: m((x) => x.bytesPerExit),
      kibPerSecond: m((x) => x.kibPerSecond),
      wallMs: m((x) => x.wallMs),
      runsKibPerSecond: r.map((x) => round(x.kibPerSecond, 1)),
      runsExitsPerKiB: r.map((x) => round(x.exitsPerKiB, 3)),
      command: r[0].command,
    };
  }
  return summary;
}

export async function run({ report }) {
  const hv = await nodeHypervisor({ memoryBudgetMiB: 512 });
  const results = {};
  try {
    report.progress("booting the console and storage guests");
    const [consoleGuest, storageGuest] = await Promise.all([
      bootGuest(hv, "paths-console", pathSpec("console", "full")),
      bootGuest(hv, "paths-storage", pathSpec("storage", "full")),
    ]);
    results.console = await measurePair(report, "console", { full: consoleGuest, paravirtual: consoleGuest });
    results.storage = await measurePair(report, "storage", { full: storageGuest, paravirtual: storageGuest });
    await Promise.all([consoleGuest.terminate(), storageGuest.terminate()]);
    report.progress("booting the NE2000 and virtio-net guests");
    const [ne2k, virtioNet] = await Promise.all([
      bootGuest(hv, "paths-ne2k", pathSpec("network", "full")),
      bootGuest(hv, "paths-virtio-net", pathSpec("network", "paravirtual")),
    ]);
    results.network = await measurePair(report, "network", { full: ne2k, paravirtual: virtioNet });
  } finally {
    await hv.shutdown();
  }

  report.print(`paths: full virtualization vs paravirtualization, medians of ${N} runs per path`);
  const rows = [];
  for (const pair of ["console", "network", "storage"]) {
    for (const side of ["full", "paravirtual"]) {
      const s = results[pair][side];
      rows.push([
        pair,
        side,
        s.device,
        s.kib,
        round(s.exitsPerKiB, 2),
        round(s.notificationsPerKiB, 3),
        round(s.irqsPerKiB, 3),
        round(s.bytesPerExit, 1),
        Math.round(s.kibPerSecond),
        Math.round(s.wallMs),
      ]);
    }
  }
  report.table(
    ["pair", "path", "device", "KiB", "exits/KiB", "notify/KiB", "IRQs/KiB", "bytes/exit", "KiB/s", "wall ms"],
    rows,
  );
  report.print("KiB/s: while the device moved data (first to last movement, guest worker clock).");
  report.print("network: ping -A round trips of 1442-byte frames answered by the host; bytes count both ways.");
  report.print();

  const ratio = (pair, field, inverse = false) => {
    const { full, paravirtual } = results[pair];
    return inverse ? paravirtual[field] / full[field] : full[field] / paravirtual[field];
  };
  const raw = (pair) => ({
    full_device: results[pair].full.device,
    paravirtual_device: results[pair].paravirtual.device,
    kib: results[pair].full.kib,
    full_exits_per_kib: round(results[pair].full.exitsPerKiB, 3),
    paravirtual_exits_per_kib: round(results[pair].paravirtual.exitsPerKiB, 3),
    full_kib_s: round(results[pair].full.kibPerSecond, 1),
    paravirtual_kib_s: round(results[pair].paravirtual.kibPerSecond, 1),
    full_irqs_per_kib: round(results[pair].full.irqsPerKiB, 3),
    paravirtual_irqs_per_kib: round(results[pair].paravirtual.irqsPerKiB, 3),
    full_runs_kib_s: results[pair].full.runsKibPerSecond,
    paravirtual_runs_kib_s: results[pair].paravirtual.runsKibPerSecond,
  });
  report.metric({
    metric: "console_exits_per_kib_ratio",
    value: round(ratio("console", "exitsPerKiB"), 1),
    unit: "x",
    target: ">=500",
    n: N,
    ...raw("console"),
  });
  report.metric({
    metric: "console_throughput_ratio",
    value: round(ratio("console", "kibPerSecond", true), 2),
    unit: "x",
    target: ">=3",
    n: N,
    ...raw("console"),
  });
  report.metric({
    metric: "net_exits_per_kib_ratio",
    value: round(ratio("network", "exitsPerKiB"), 1),
    unit: "x",
    target: ">=100",
    n: N,
    ...raw("network"),
  });
  report.metric({
    metric: "net_throughput_ratio",
    value: round(ratio("network", "kibPerSecond", true), 2),
    unit: "x",
    target: "report",
    n: N,
    ...raw("network"),
  });
  report.metric({
    metric: "storage_throughput_ratio",
    value: round(ratio("storage", "kibPerSecond", true), 2),
    unit: "x",
    target: "report",
    n: N,
    ...raw("storage"),
  });
  report.metric({
    metric: "storage_exits_per_kib_ratio",
    value: round(ratio("storage", "exitsPerKiB"), 1),
    unit: "x",
    target: "report",
    n: N,
    ...raw("storage"),
  });
}
