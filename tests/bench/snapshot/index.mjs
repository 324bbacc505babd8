/**
 * snapshot: snapshot size and save/restore time for 32/64/128 MiB guests, instant launch
 * from the image's ready snapshot vs a cold boot, and live-migration downtime (64 MiB guest,
 * Host A → Host B). Metrics (CONVENTIONS.md): snapshot_mib, instant_launch_ms,
 * migration_downtime_ms. Image loading stays outside every timing except instant launch,
 * which counts from hv.create to the first command's answer (the ready snapshot is read once
 * before, as the catalog caches it).
 */
import { nodeHypervisor } from "../lib/ours.mjs";
import { median, round, sleep } from "../lib/stats.mjs";

const N = Number(process.env.HYPERLAB_BENCH_N ?? 5);
const SIZES = [32, 64, 128];
const MiB = 2 ** 20;
const TIMEOUT_MS = 120_000;

async function booted(hv, name, spec = {}) {
  const guest = await hv.create({ image: "linux", name, ...spec });
  await guest.start();
  for (const console of guest.consoleKinds) await guest.waitReady({ console, timeoutMs: TIMEOUT_MS });
  await sleep(300);
  return guest;
}

async function time(fn) {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

async function sizes(hv, report) {
  const rows = [];
  for (const memoryMiB of SIZES) {
    const guest = await booted(hv, `size-${memoryMiB}`, { memoryMiB });
    const saves = [];
    const restores = [];
    let snapshot;
    try {
      for (let i = 0; i < Math.min(N, 3); i++) {
        const save = await time(() => guest.snapshot());
        snapshot = save.value;
        saves.push(save.ms);
        const restore = await time(async () => {
          await guest.restore(snapshot);
          await guest.exec("true");
        });
        restores.push(restore.ms);
      }
    } finally {
      await guest.terminate();
    }
    const row = {
      memoryMiB,
      mib: snapshot.bytes.length / MiB,
      rawMib: snapshot.header.body.rawBytes / MiB,
      saveMs: median(saves),
      restoreMs: median(restores),
    };
    rows.push(row);
    report.progress(
      `${memoryMiB} MiB: ${round(row.mib)} MiB, save ${Math.round(row.saveMs)} ms, restore ${Math.round(row.restoreMs)} ms`,
    );
  }
  // The same 32 MiB guest with init_on_free=1 (what the ready snapshots use).
  const zeroed = await booted(hv, "size-32-zeroed", { cmdline: "init_on_free=1" });
  const z = await zeroed.snapshot();
  await zeroed.terminate();
  return { rows, zeroedMib: z.bytes.length / MiB };
}

async function launches(hv, report) {
  const probe = await hv.create({ image: "linux", name: "probe" });
  const { reason } = await hv.readySnapshot(probe);
  await probe.terminate();
  if (reason) throw new Error(`no ready snapshot to launch from: ${reason} (run node images/make-snapshot.mjs)`);
  const instant = [];
  for (let i = 0; i < N; i++) {
    const { ms } = await time(async () => {
      const guest = await hv.create({ image: "linux", name: `instant-${i}` });
      const started = await hv.startInstant(guest);
      if (!started.instant) throw new Error(`instant launch fell back to a cold boot: ${started.reason}`);
      await guest.exec("true");
      return guest;
    }).then(async (r) => {
      await r.value.terminate();
      return r;
    });
    instant.push(ms);
    report.progress(`instant launch ${i + 1}/${N}: ${Math.round(ms)} ms`);
    await sleep(200);
  }
  const cold = [];
  for (let i = 0; i < Math.min(N, 2); i++) {
    const { ms, value } = await time(async () => {
      const guest = await hv.create({ image: "linux", name: `cold-${i}` });
      await guest.start();
      await guest.exec("true", { timeoutMs: TIMEOUT_MS });
      return guest;
    });
    await value.terminate();
    cold.push(ms);
    report.progress(`cold boot ${i + 1}: ${Math.round(ms)} ms`);
  }
  return { instant, cold };
}

async function migrations(hv, report) {
  const guest = await booted(hv, "migrant", { memoryMiB: 64 });
  const runs = [];
  try {
    await guest.exec("(i=0; while true; do i=$((i+1)); done) &");
    for (let i = 0; i < N; i++) {
      const to = guest.placement.id === "a" ? "b" : "a";
      const r = await guest.migrate(to);
      await guest.exec("true");
      runs.push(r);
      report.progress(
        `migration ${i + 1}/${N} ${r.from} → ${r.to}: downtime ${Math.round(r.downtimeMs)} ms, ${round(r.bytes / MiB)} MiB`,
      );
      await sleep(300);
    }
  } finally {
    await guest.terminate();
  }
  return runs;
}

export async function run({ report }) {
  const hv = await nodeHypervisor({ hosts: [{ memoryBudgetMiB: 512 }, { memoryBudgetMiB: 512 }] });
  let s, l, m;
  try {
    s = await sizes(hv, report);
    l = await launches(hv, report);
    m = await migrations(hv, report);
  } finally {
    await hv.shutdown();
  }

  report.print("snapshot: size and save/restore time (restore = new machine from the snapshot + first command)");
  report.table(
    ["guest MiB", "snapshot MiB", "raw state MiB", "save ms", "restore ms"],
    s.rows.map((r) => [r.memoryMiB, round(r.mib), round(r.rawMib), Math.round(r.saveMs), Math.round(r.restoreMs)]),
  );
  report.print(`32 MiB guest booted with init_on_free=1 (as the ready snapshots are): ${round(s.zeroedMib)} MiB`);
  report.print();
  const instantMs = median(l.instant);
  const coldMs = median(l.cold);
  report.print("launch to a shell answering a command");
  report.table(
    ["launch", "median ms", "runs ms"],
    [
      ["instant (ready snapshot)", Math.round(instantMs), l.instant.map(Math.round).join(" ")],
      ["cold boot", Math.round(coldMs), l.cold.map(Math.round).join(" ")],
    ],
  );
  const downtime = median(m.map((r) => r.downtimeMs));
  report.print("live migration of a busy 64 MiB guest between Host A and Host B");
  report.table(
    ["run", "from → to", "downtime ms", "total ms", "MiB moved"],
    m.map((r, i) => [
      i + 1,
      `${r.from} → ${r.to}`,
      Math.round(r.downtimeMs),
      Math.round(r.totalMs),
      round(r.bytes / MiB),
    ]),
  );

  const s32 = s.rows.find((r) => r.memoryMiB === 32);
  report.metric({
    metric: "snapshot_mib",
    value: round(s32.mib),
    unit: "MiB",
    target: "<=4",
    n: 1,
    raw_mib: round(s32.rawMib),
    init_on_free_mib: round(s.zeroedMib),
    by_memory: Object.fromEntries(
      s.rows.map((r) => [
        `${r.memoryMiB}MiB`,
        { mib: round(r.mib), save_ms: Math.round(r.saveMs), restore_ms: Math.round(r.restoreMs) },
      ]),
    ),
  });
  report.metric({
    metric: "instant_launch_ms",
    value: Math.round(instantMs),
    unit: "ms",
    target: "<=300",
    n: l.instant.length,
    runs_ms: l.instant.map(Math.round),
    cold_boot_ms: Math.round(coldMs),
    cold_runs_ms: l.cold.map(Math.round),
  });
  report.metric({
    metric: "migration_downtime_ms",
    value: Math.round(downtime),
    unit: "ms",
    target: "<=300",
    n: m.length,
    runs_ms: m.map((r) => Math.round(r.downtimeMs)),
    total_ms: Math.round(median(m.map((r) => r.totalMs))),
    mib_moved: round(median(m.map((r) => r.bytes)) / MiB),
  });
}
