/**
 * boot: median boot-to-shell (start → "hyperlab: ready" on ttyS0), ours ÷ bare v86, same image
 * and options, alternating ours/bare in one process. Loading the image stays outside the
 * timing on both sides (ours: hv.create; bare: files read before the worker starts).
 */
import { BareGuest } from "../lib/bare.mjs";
import { loadImage } from "../lib/image.mjs";
import { nodeHypervisor } from "../lib/ours.mjs";
import { median, round, sleep } from "../lib/stats.mjs";

const N = Number(process.env.HYPERLAB_BENCH_N ?? 5);
const TIMEOUT_MS = 90_000;

async function bootOurs(hv, name) {
  const guest = await hv.create({ image: "linux", name });
  try {
    const t0 = performance.now();
    await guest.start();
    await guest.waitReady({ timeoutMs: TIMEOUT_MS });
    return performance.now() - t0;
  } finally {
    await guest.terminate();
  }
}

async function bootBare(image) {
  const bare = new BareGuest(image);
  try {
    const t0 = performance.now();
    bare.start();
    await bare.waitReady({ timeoutMs: TIMEOUT_MS });
    return performance.now() - t0;
  } finally {
    await bare.terminate();
  }
}

export async function run({ report }) {
  const image = await loadImage("linux");
  const hv = await nodeHypervisor();
  const rows = [];
  try {
    for (let i = 0; i < N; i++) {
      // ours first on even runs, bare first on odd ones: neither side always goes first.
      const order = i % 2 === 0 ? ["ours", "bare"] : ["bare", "ours"];
      const row = { run: i + 1, order: order.join(" → ") };
      for (const side of order) {
        row[side] = side === "ours" ? await bootOurs(hv, `boot-${i + 1}`) : await bootBare(image);
        report.progress(`run ${i + 1}/${N}: ${side} ${Math.round(row[side])} ms`);
        await sleep(200);
      }
      rows.push(row);
    }
  } finally {
    await hv.shutdown();
  }

  const ours = rows.map((r) => r.ours);
  const bare = rows.map((r) => r.bare);
  const oursMs = median(ours);
  const bareMs = median(bare);
  report.print(`boot: boot-to-shell ("${image.readyMarker}" on ttyS0), image ${image.id}, ${image.memoryMiB} MiB`);
  report.table(
    ["run", "order", "ours ms", "bare ms", "ours/bare"],
    [
      ...rows.map((r) => [r.run, r.order, Math.round(r.ours), Math.round(r.bare), round(r.ours / r.bare, 3)]),
      ["median", "", Math.round(oursMs), Math.round(bareMs), round(oursMs / bareMs, 3)],
    ],
  );
  report.metric({
    metric: "ratio_vs_bare",
    value: round(oursMs / bareMs, 3),
    unit: "x",
    target: "<=1.05",
    n: N,
    ours_ms: Math.round(oursMs),
    bare_ms: Math.round(bareMs),
    pair_ratio_median: round(median(rows.map((r) => r.ours / r.bare)), 3),
    ours_runs_ms: ours.map(Math.round),
    bare_runs_ms: bare.map(Math.round),
  });
  report.metric({
    metric: "boot_ms",
    value: Math.round(oursMs),
    unit: "ms",
    target: "report",
    n: N,
    runs_ms: ours.map(Math.round),
  });
}
