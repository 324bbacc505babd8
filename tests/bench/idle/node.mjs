/**
 * The Node side of `pnpm bench idle`: N idle 32 MiB guests (serial console and NE2000, the
 * app's default, which has a ready snapshot) in one process, one worker thread each, launched
 * one after another; what they cost the process in memory (RSS) and CPU. Then each guest fills
 * its free memory once, so that the growth counts its RAM whole: the growth per guest less its
 * RAM is the overhead admission must count for it (GUEST_OVERHEAD_MIB.node in
 * packages/core/src/admission/overhead.ts).
 *
 * Each measurement runs in a process of its own (`measureNode` starts this file), so that
 * memory another measurement frees late does not hide in its baseline.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { nodeHypervisor } from "../lib/ours.mjs";
import { round, sleep } from "../lib/stats.mjs";

export const MEMORY_MIB = 32;

const rssMiB = () => process.memoryUsage().rss / 2 ** 20;
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/** Fills a guest's free memory once (a file in its RAM-backed root, then removed). */
export async function fillCommand(guest, share = 0.85) {
  const { output } = await guest.exec("grep MemFree /proc/meminfo");
  const freeKiB = Number(/(\d+)/.exec(output)?.[1] ?? 0);
  const mib = Math.max(1, Math.floor((freeKiB / 1024) * share));
  return { command: `head -c ${mib}m /dev/zero > /tmp/fill; rm /tmp/fill`, mib };
}

async function launch(hv, name, mode) {
  const guest = await hv.create({ image: "linux", name, memoryMiB: MEMORY_MIB, console: "serial", net: "ne2k" });
  if (mode === "instant") {
    const { instant, reason } = await hv.startInstant(guest);
    if (!instant) throw new Error(`${name} did not launch from a ready snapshot: ${reason}`);
  } else await guest.start();
  await guest.waitReady({ timeoutMs: 240_000 });
  await guest.exec("echo up", { timeoutMs: 60_000 });
  return guest;
}

/** One measurement in a fresh Node process (this file run as a script); figures per guest. */
export async function measureNode({ count, mode, idleMs, report }) {
  report.progress(`Node, ${mode}: ${count} guests in a process of their own`);
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ["--expose-gc", fileURLToPath(import.meta.url), mode, String(count), String(idleMs)],
    { maxBuffer: 1 << 20, timeout: 1_800_000 },
  );
  return JSON.parse(stdout.trim().split("\n").at(-1));
}

/**
 * One measurement here: `count` guests launched (`mode`: "instant" or "cold"), idle for
 * `idleMs`, then filled. Figures per guest, in MiB and % of one core.
 */
async function measureHere({ count, mode, idleMs }) {
  const hv = await nodeHypervisor({ memoryBudgetMiB: 1 << 20 });
  try {
    // One guest first, thrown away: reading the image, compiling v86.wasm and the first
    // worker's start-up are the process's, not a guest's.
    await (await launch(hv, `warm-${mode}`, mode)).terminate();
    await sleep(2000);
    globalThis.gc?.();
    const before = rssMiB();
    const guests = [];
    for (let i = 0; i < count; i++) guests.push(await launch(hv, `idle-${mode}-${i + 1}`, mode));
    await sleep(2000);
    const cpu0 = cpuMs();
    const t0 = performance.now();
    await sleep(idleMs);
    const cpuPct = ((cpuMs() - cpu0) / (performance.now() - t0)) * 100;
    const idle = rssMiB();
    let filledMiB = 0;
    for (const guest of guests) {
      const { command, mib } = await fillCommand(guest);
      await guest.exec(command, { timeoutMs: 120_000 });
      filledMiB += mib;
    }
    await sleep(3000);
    globalThis.gc?.();
    const filled = rssMiB();
    return {
      mode,
      count,
      beforeMiB: round(before, 0),
      idlePerGuestMiB: round((idle - before) / count, 1),
      filledPerGuestMiB: round((filled - before) / count, 1),
      // What a guest was seen to cost at most (an instant launch has written its RAM already).
      overheadMiB: round((Math.max(idle, filled) - before) / count - MEMORY_MIB, 1),
      filledInGuestMiB: round(filledMiB / count, 1),
      cpuPctPerGuest: round(cpuPct / count, 2),
    };
  } finally {
    await hv.shutdown();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [mode, count, idleMs] = process.argv.slice(2);
  const result = await measureHere({ mode, count: Number(count), idleMs: Number(idleMs) });
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}
