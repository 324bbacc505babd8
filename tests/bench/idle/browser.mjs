/**
 * The browser side of `pnpm bench idle`: Debian's Chromium against the built lab app; N idle
 * 32 MiB guests made through `window.hyperlab` (instant launch, no console open); the whole
 * browser's memory (RSS of every Chromium process, summed) and CPU while they idle; then each
 * guest fills its free memory once, as in the Node measurement.
 *
 * Needs the app built: pnpm turbo run build --filter=@hyperlab/web...
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { CHROMIUM, CHROMIUM_ARGS, appBuilt, serve } from "../lib/preview.mjs";
import { round, sleep } from "../lib/stats.mjs";

export { CHROMIUM };
import { MEMORY_MIB } from "./node.mjs";

const PORT = Number(process.env.HYPERLAB_BENCH_PORT ?? 4181);
const PAGE_SIZE_KIB = 4;
const TICKS_PER_S = 100;

export function browserAvailable() {
  if (!existsSync(CHROMIUM)) return `no Chromium at ${CHROMIUM} (set CHROMIUM_PATH)`;
  if (!appBuilt()) return "the lab app is not built (pnpm turbo run build --filter=@hyperlab/web...)";
  return undefined;
}

/** Chromium's processes: descendants of this process whose program is Chromium. */
function chromiumPids() {
  const parent = new Map();
  const command = new Map();
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      parent.set(pid, stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      command.set(pid, readFileSync(`/proc/${pid}/cmdline`, "utf8"));
    } catch {
      // gone meanwhile
    }
  }
  const mine = (pid) => {
    for (let p = pid; p && p !== "0" && p !== "1"; p = parent.get(p)) if (p === String(process.pid)) return true;
    return false;
  };
  // /usr/bin/chromium is a wrapper script: the processes are /usr/lib/chromium/chromium.
  return [...parent.keys()].filter((pid) => mine(pid) && /chrom/.test(command.get(pid).split("\0")[0]));
}

/** Summed RSS (MiB) and CPU time (ms) of Chromium's processes. */
function browserUsage() {
  let rssKiB = 0;
  let ticks = 0;
  for (const pid of chromiumPids()) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ticks += Number(fields[11]) + Number(fields[12]);
      rssKiB += Number(readFileSync(`/proc/${pid}/statm`, "utf8").split(" ")[1]) * PAGE_SIZE_KIB;
    } catch {
      // gone meanwhile
    }
  }
  return { rssMiB: rssKiB / 1024, cpuMs: (ticks / TICKS_PER_S) * 1000 };
}

export async function measureBrowser({ count, idleMs, report }) {
  const { chromium } = await import("playwright-core");
  const server = await serve(PORT);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(server.url);
    await page.waitForFunction(() => window.hyperlab?.catalog);
    const launch = (names) =>
      page.evaluate(
        async ({ names, memoryMiB }) => {
          for (const name of names) {
            const guest = await window.hyperlab.create({
              image: "linux",
              name,
              memoryMiB,
              console: "serial",
              net: "ne2k",
            });
            const { instant, reason } = await window.hyperlab.startInstant(guest);
            if (!instant) throw new Error(`${name} did not launch from a ready snapshot: ${reason}`);
            await guest.exec("echo up", { timeoutMs: 120_000 });
          }
        },
        { names, memoryMiB: MEMORY_MIB },
      );
    // One guest first, thrown away (the image, v86.wasm, the first worker).
    await launch(["warm"]);
    await page.evaluate(() => window.hyperlab.get("warm").terminate());
    await sleep(3000);
    const before = browserUsage();
    const names = Array.from({ length: count }, (_, i) => `idle-${i + 1}`);
    await launch(names);
    const budget = await page.evaluate((memoryMiB) => {
      const hv = window.hyperlab;
      return {
        pageBudgetMiB: hv.memoryBudgetMiB,
        pageOverheadMiB: hv.guestOverheadMiB,
        // How many idle guests of this size the page admits in all, those running included.
        admits: hv.guests.length + hv.fit(Array(512).fill(memoryMiB)).fit,
      };
    }, MEMORY_MIB);
    report.progress(`browser: ${count} guests up; idle for ${idleMs / 1000} s`);
    await sleep(2000);
    const idle0 = browserUsage();
    const t0 = performance.now();
    await sleep(idleMs);
    const idle1 = browserUsage();
    const cpuPct = ((idle1.cpuMs - idle0.cpuMs) / (performance.now() - t0)) * 100;
    await page.evaluate(async (names) => {
      for (const name of names) {
        const guest = window.hyperlab.get(name);
        const { output } = await guest.exec("grep MemFree /proc/meminfo");
        const mib = Math.max(1, Math.floor((Number(/(\d+)/.exec(output)?.[1] ?? 0) / 1024) * 0.85));
        await guest.exec(`head -c ${mib}m /dev/zero > /tmp/fill; rm /tmp/fill`, { timeoutMs: 120_000 });
      }
    }, names);
    await sleep(3000);
    const filled = browserUsage();
    return {
      mode: "instant",
      count,
      beforeMiB: round(before.rssMiB, 0),
      idlePerGuestMiB: round((idle1.rssMiB - before.rssMiB) / count, 1),
      filledPerGuestMiB: round((filled.rssMiB - before.rssMiB) / count, 1),
      // What a guest was seen to cost at most (an instant launch has written its RAM already).
      overheadMiB: round((Math.max(idle1.rssMiB, filled.rssMiB) - before.rssMiB) / count - MEMORY_MIB, 1),
      cpuPctPerGuest: round(cpuPct / count, 2),
      ...budget,
    };
  } finally {
    await browser.close();
    server.stop();
  }
}
