/**
 * density: 1, 2, 4 and 8 guests × 32 MiB started together on the default Node hypervisor;
 * the time from starting them until every one has a shell ("hyperlab: ready" on ttyS0).
 * ratio_8_vs_1 = that time for 8 guests ÷ for one guest alone.
 */
import { nodeHypervisor } from "../lib/ours.mjs";
import { median, round, sleep } from "../lib/stats.mjs";

const COUNTS = [1, 2, 4, 8];
const MEMORY_MIB = 32;
const TIMEOUT_MS = 240_000;

async function bootTogether(hv, count) {
  const guests = [];
  for (let i = 0; i < count; i++)
    guests.push(await hv.create({ image: "linux", name: `d${count}-${i + 1}`, memoryMiB: MEMORY_MIB }));
  try {
    const t0 = performance.now();
    const ready = await Promise.all(
      guests.map(async (g) => {
        await g.start();
        await g.waitReady({ timeoutMs: TIMEOUT_MS });
        return performance.now() - t0;
      }),
    );
    return { all: Math.max(...ready), first: Math.min(...ready), median: median(ready) };
  } finally {
    await Promise.all(guests.map((g) => g.terminate()));
  }
}

export async function run({ report }) {
  const hv = await nodeHypervisor();
  const results = new Map();
  try {
    for (const count of COUNTS) {
      results.set(count, await bootTogether(hv, count));
      report.progress(`${count} guest(s): all ready after ${Math.round(results.get(count).all)} ms`);
      await sleep(500);
    }
  } finally {
    await hv.shutdown();
  }
  const one = results.get(1).all;
  report.print(
    `density: N guests × ${MEMORY_MIB} MiB started together (hostCores ${hv.hostCores}); time until all have a shell`,
  );
  report.table(
    ["guests", "all ready ms", "first ms", "median ms", "vs 1 guest", "per guest ms"],
    COUNTS.map((count) => {
      const r = results.get(count);
      return [
        count,
        Math.round(r.all),
        Math.round(r.first),
        Math.round(r.median),
        round(r.all / one, 2),
        Math.round(r.all / count),
      ];
    }),
  );
  report.metric({
    metric: "ratio_8_vs_1",
    value: round(results.get(8).all / one, 2),
    unit: "x",
    target: "<=2.5",
    n: 1,
    ...Object.fromEntries(COUNTS.map((c) => [`all_ready_ms_${c}`, Math.round(results.get(c).all)])),
    memory_mib: MEMORY_MIB,
    host_cores: hv.hostCores,
  });
}
