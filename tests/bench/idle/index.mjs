/**
 * idle: what idle guests cost their host, in Node and in Chromium, next to what admission
 * counts for them (GUEST_OVERHEAD_MIB in packages/core/src/admission/overhead.ts).
 *
 * Per guest (32 MiB, launched one after another, then idle): the host's memory growth while
 * idle, and after each guest filled its free memory once (so that its RAM counts whole); that
 * growth less the RAM is the measured overhead, printed beside the constant. CPU: the whole
 * process's (Node) or browser's (Chromium) over an idle window, per guest.
 *
 * Knobs: HYPERLAB_BENCH_GUESTS (default 8), HYPERLAB_BENCH_WINDOW_MS (idle window, 10000),
 * HYPERLAB_BENCH_MODE=instant|cold|both|none (Node; default both), HYPERLAB_BENCH_BROWSER=0
 * (skip Chromium).
 */
import { GUEST_OVERHEAD_MIB } from "@hyperlab/core";
import { browserAvailable, measureBrowser } from "./browser.mjs";
import { MEMORY_MIB, measureNode } from "./node.mjs";

const COUNT = Number(process.env.HYPERLAB_BENCH_GUESTS ?? 8);
const IDLE_MS = Number(process.env.HYPERLAB_BENCH_WINDOW_MS ?? 10_000);
const MODE = process.env.HYPERLAB_BENCH_MODE ?? "both";

export async function run({ report }) {
  const rows = [];
  const modes = { both: ["instant", "cold"], none: [] }[MODE] ?? [MODE];
  for (const mode of modes) {
    const r = await measureNode({ count: COUNT, mode, idleMs: IDLE_MS, report });
    rows.push({ where: `Node, ${mode}`, constant: GUEST_OVERHEAD_MIB.node, ...r });
    report.progress(`Node ${mode}: ${r.idlePerGuestMiB} MiB per idle guest, overhead ${r.overheadMiB} MiB`);
  }
  const skip = process.env.HYPERLAB_BENCH_BROWSER === "0" ? "HYPERLAB_BENCH_BROWSER=0" : browserAvailable();
  let browser;
  if (skip) report.progress(`browser skipped: ${skip}`);
  else {
    browser = await measureBrowser({ count: COUNT, idleMs: IDLE_MS, report });
    rows.push({ where: "Chromium, instant", constant: GUEST_OVERHEAD_MIB.browser, ...browser });
  }

  report.print(`idle: ${COUNT} guests × ${MEMORY_MIB} MiB, one after another, then idle ${IDLE_MS / 1000} s`);
  report.table(
    [
      "where",
      "MiB per idle guest",
      "MiB per guest, RAM filled",
      "overhead measured",
      "overhead counted",
      "CPU % per idle guest",
    ],
    rows.map((r) => [r.where, r.idlePerGuestMiB, r.filledPerGuestMiB, r.overheadMiB, r.constant, r.cpuPctPerGuest]),
  );
  report.print(
    "overhead measured = growth per guest (idle or once it filled its RAM, whichever is more) − its RAM; admission counts RAM + the constant " +
      "(admission/overhead.ts). The constant must not be below what is measured.",
  );
  if (browser)
    report.print(
      `the page's budget: ${browser.pageBudgetMiB} MiB (${browser.pageOverheadMiB} MiB overhead per guest): ` +
        `it admits ${browser.admits} idle ${MEMORY_MIB} MiB guests.`,
    );
  report.print();

  for (const r of rows.filter((row) => row.where.startsWith("Node"))) {
    const mode = r.mode;
    report.metric({
      metric: `node_overhead_mib_${mode}`,
      value: r.overheadMiB,
      unit: "MiB",
      target: `<=${r.constant}`,
      n: r.count,
      idle_mib_per_guest: r.idlePerGuestMiB,
      filled_mib_per_guest: r.filledPerGuestMiB,
      counted_mib: r.constant,
    });
    report.metric({
      metric: `node_host_mib_per_guest_${mode}`,
      value: r.idlePerGuestMiB,
      unit: "MiB",
      n: r.count,
    });
    report.metric({ metric: `node_idle_cpu_pct_per_guest_${mode}`, value: r.cpuPctPerGuest, unit: "%", n: r.count });
  }
  if (browser) {
    report.metric({
      metric: "idle_cpu_pct_per_guest",
      value: browser.cpuPctPerGuest,
      unit: "%",
      target: "<=0.5",
      n: browser.count,
    });
    report.metric({
      metric: "host_mib_per_guest",
      value: browser.idlePerGuestMiB,
      unit: "MiB",
      target: "<=48",
      n: browser.count,
      filled_mib_per_guest: browser.filledPerGuestMiB,
    });
    report.metric({
      metric: "browser_overhead_mib",
      value: browser.overheadMiB,
      unit: "MiB",
      target: `<=${GUEST_OVERHEAD_MIB.browser}`,
      n: browser.count,
      counted_mib: GUEST_OVERHEAD_MIB.browser,
    });
    report.metric({
      metric: "max_idle_guests",
      value: browser.admits,
      unit: "guests",
      n: 1,
      budget_mib: browser.pageBudgetMiB,
      // What the page's budget admits (RAM + overhead each), not how many were launched.
      basis: "admission",
    });
  }
}
