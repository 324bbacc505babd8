/**
 * boot: median boot-to-shell (start → "hyperlab: ready" on ttyS0), ours ÷ bare v86, same image
 * and options, taking turns in one process. Loading the image stays outside the timing on
 * every side (ours: hv.create; bare: files read before the worker starts).
 *
 * Our Machine boots with v86's JIT off until the shell is ready (machine/boot-jit.ts). The
 * baseline of ratio_vs_bare is bare v86 with that same rule, so the ratio is the cost of our
 * layer; bare v86 with its defaults (JIT on throughout) is the third side, and
 * ratio_vs_bare_defaults shows what the rule gains.
 *
 * After each boot, EXECS round trips of a command (`true`): exec_ms is ours. Our Guest.exec
 * answers the shell's cursor query (ImageEntry.cursorQuery), and so does the bare side; the
 * defaults side does not, and its shell waits 20 ms after each command line.
 */
import { BareGuest } from "../lib/bare.mjs";
import { loadImage } from "../lib/image.mjs";
import { nodeHypervisor } from "../lib/ours.mjs";
import { median, round, sleep } from "../lib/stats.mjs";

const N = Number(process.env.HYPERLAB_BENCH_N ?? 5);
const TIMEOUT_MS = 90_000;
const EXECS = 10;

/** The median round trip of EXECS commands (`true`) in a booted guest. */
async function execMs(exec) {
  const times = [];
  for (let i = 0; i < EXECS; i++) {
    const t0 = performance.now();
    await exec("true");
    times.push(performance.now() - t0);
  }
  return median(times);
}

async function bootOurs(hv, name) {
  const guest = await hv.create({ image: "linux", name });
  try {
    const t0 = performance.now();
    await guest.start();
    await guest.waitReady({ timeoutMs: TIMEOUT_MS });
    const boot = performance.now() - t0;
    return { boot, exec: await execMs((command) => guest.exec(command)) };
  } finally {
    await guest.terminate();
  }
}

/** ours: v86 with our boot JIT rule and exec's cursor answer; defaults: v86 and the guest as they come */
async function bootBare(image, ours) {
  const bare = new BareGuest(image, { bootJit: ours, answerCursor: ours });
  try {
    const t0 = performance.now();
    bare.start();
    await bare.waitReady({ timeoutMs: TIMEOUT_MS });
    const boot = performance.now() - t0;
    return { boot, exec: await execMs((command) => bare.exec(command)) };
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
      // The sides take turns going first.
      const sides = ["ours", "bare", "defaults"];
      const order = [...sides.slice(i % 3), ...sides.slice(0, i % 3)];
      const row = { run: i + 1, order: order.join(" → ") };
      for (const side of order) {
        const result = side === "ours" ? await bootOurs(hv, `boot-${i + 1}`) : await bootBare(image, side === "bare");
        row[side] = result.boot;
        row[`${side}Exec`] = result.exec;
        report.progress(`run ${i + 1}/${N}: ${side} ${Math.round(result.boot)} ms, exec ${round(result.exec, 1)} ms`);
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
  const defaults = rows.map((r) => r.defaults);
  const defaultsMs = median(defaults);
  report.print(`boot: boot-to-shell ("${image.readyMarker}" on ttyS0), image ${image.id}, ${image.memoryMiB} MiB`);
  report.print("bare: v86 with our boot JIT rule (JIT off until the shell is ready); defaults: v86 as it comes");
  report.table(
    ["run", "order", "ours ms", "bare ms", "ours/bare", "defaults ms", "ours/defaults"],
    [
      ...rows.map((r) => [
        r.run,
        r.order,
        Math.round(r.ours),
        Math.round(r.bare),
        round(r.ours / r.bare, 3),
        Math.round(r.defaults),
        round(r.ours / r.defaults, 3),
      ]),
      [
        "median",
        "",
        Math.round(oursMs),
        Math.round(bareMs),
        round(oursMs / bareMs, 3),
        Math.round(defaultsMs),
        round(oursMs / defaultsMs, 3),
      ],
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
  const execs = Object.fromEntries(
    ["ours", "bare", "defaults"].map((side) => [side, median(rows.map((r) => r[`${side}Exec`]))]),
  );
  report.print();
  report.print(`exec: median round trip of \`true\` on ttyS0 (${EXECS} per boot, median over boots)`);
  report.table(
    ["ours ms", "bare ms", "ours/bare", "defaults ms"],
    [[round(execs.ours, 1), round(execs.bare, 1), round(execs.ours / execs.bare, 3), round(execs.defaults, 1)]],
  );
  report.metric({
    metric: "exec_ms",
    value: round(execs.ours, 1),
    unit: "ms",
    target: "report",
    n: N * EXECS,
    bare_ms: round(execs.bare, 1),
    defaults_ms: round(execs.defaults, 1),
  });
  report.metric({
    metric: "ratio_vs_bare_defaults",
    value: round(oursMs / defaultsMs, 3),
    unit: "x",
    target: "report",
    n: N,
    defaults_ms: Math.round(defaultsMs),
    defaults_runs_ms: defaults.map(Math.round),
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
