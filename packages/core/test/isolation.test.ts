/**
 * Integration: several real guests at once, each in its own worker thread. A guest that
 * crashes v86 becomes `crashed` and the others keep answering; pause really stops a guest;
 * memory admission and the balloon act on what the guests see.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import type { Guest, GuestMetrics } from "../src/index.js";
import { createNodeHypervisor, findImagesDir } from "../src/node/index.js";

/** Admission counts each guest's RAM and what running it costs in Node (GUEST_OVERHEAD_MIB.node). */
const hv = createNodeHypervisor({ memoryBudgetMiB: 640, hostCores: 2 });
const OVERHEAD = hv.guestOverheadMiB;
const cost = (ramMiB: number) => ramMiB + OVERHEAD;
afterAll(() => hv.shutdown());
// Every test makes its own guests; none outlives it, whether it passed or not.
afterEach(() => hv.shutdown());

/** A bzImage whose setup header is intact but whose kernel is garbage: v86 hits an unimplemented #GP. */
function brokenKernel(): Uint8Array {
  const bytes = new Uint8Array(readFileSync(join(findImagesDir(), "linux", "bzImage")));
  for (let i = 0x4000; i < bytes.length; i++) bytes[i] = (i * 2654435761) >>> 24;
  return bytes;
}

/** Guests that answer on their console: from the image's ready snapshot when one fits (fast), else booted. */
async function running(...names: string[]): Promise<Guest[]> {
  const guests: Guest[] = [];
  for (const name of names) guests.push(await hv.create({ image: "linux", name }));
  for (const guest of guests) if (!(await hv.startInstant(guest)).instant) await guest.waitReady();
  return guests;
}

async function memTotalKiB(guest: Guest): Promise<number> {
  const { output } = await guest.exec("grep MemTotal /proc/meminfo");
  return Number(/MemTotal:\s+(\d+)/.exec(output)![1]);
}

describe("isolation between guests", () => {
  it("runs three guests at once, each answering on its own console", async () => {
    const before = hv.memory().usedMiB;
    const guests: Guest[] = [];
    for (const name of ["a", "b", "c"]) guests.push(await hv.create({ image: "linux", name }));
    await Promise.all(guests.map((g) => g.start()));
    await Promise.all(guests.map((g) => g.waitReady()));
    const names = await Promise.all(guests.map((g) => g.exec("echo I am $(hostname) && echo $((6*7))")));
    // Each answer comes from its own guest: every one is named after itself.
    names.forEach((result, i) => expect(result.output).toBe(`I am ${guests[i].name}\n42\n`));
    expect(hv.memory().usedMiB - before).toBe(3 * cost(32));
  });

  it("contains a guest that crashes v86: it becomes crashed, the others keep running", async () => {
    const others = await running("a", "b", "c");
    const before = hv.memory().usedMiB;
    const broken = await hv.create({ name: "broken", image: { name: "broken.bzImage", bytes: brokenKernel() } });
    const crashed = new Promise<string | undefined>((resolve) =>
      broken.on("guest:state", (e) => e.state === "crashed" && resolve(e.reason)),
    );
    await broken.start();
    const reason = await crashed;
    expect(broken.state).toBe("crashed");
    expect(reason).toMatch(/GP handler|unreachable/);
    // Its memory went back to the host; the other three still answer.
    expect(hv.memory().usedMiB).toBe(before);
    for (const guest of others) expect((await guest.exec("echo still here")).output).toBe("still here\n");
  });

  it("stops executing a paused guest while the others run", async () => {
    const [a, b] = await running("a", "b");
    await a.exec("hl-burn &");
    await b.exec("hl-burn &");
    await a.pause();
    const a1 = await a.counters();
    const b1 = await b.counters();
    // Wait until the running guest has clearly run on; the paused one had as long to run.
    await vi.waitFor(
      async () => expect(((await b.counters()).instructions - b1.instructions) >>> 0).toBeGreaterThan(1_000_000),
      { timeout: 10_000, interval: 100 },
    );
    const a2 = await a.counters();
    expect(a2.instructions).toBe(a1.instructions);
    await expect(a.exec("true")).rejects.toMatchObject({ code: "invalid-state" });
    await a.resume();
    expect((await a.exec("kill %1; echo resumed")).output).toContain("resumed");
    await b.exec("kill %1");
  });

  it("refuses a guest that does not fit and says what is used and free", async () => {
    // Created guests hold their memory whether they run or not.
    const before = hv.memory();
    for (const name of ["a", "b", "c"]) await hv.create({ image: "linux", name });
    const names = hv.guests.map((g) => g.name);
    const { usedMiB, freeMiB, budgetMiB, guestMiB, overheadMiB } = hv.memory();
    expect(usedMiB - before.usedMiB).toBe(3 * cost(32));
    expect([guestMiB - before.guestMiB, overheadMiB - before.overheadMiB]).toEqual([3 * 32, 3 * OVERHEAD]);
    // 256 MiB of RAM alone would fit in what is free; with what running the guest costs, it does not.
    expect(freeMiB).toBeGreaterThanOrEqual(256);
    await expect(hv.create({ image: "linux", name: "big", memoryMiB: 256 })).rejects.toThrow(
      `Guest "big" needs ${cost(256)} MiB (256 MiB of RAM and ${OVERHEAD} MiB to run it) but only ${freeMiB} MiB of the host's ${budgetMiB} MiB are free (${usedMiB} MiB in use).`,
    );
    expect(hv.guests.map((g) => g.name)).toEqual(names);
    expect(hv.memory().usedMiB).toBe(usedMiB);
  });

  it("holds a capped busy guest near its cap", async () => {
    const [c] = await running("c");
    c.setQuota({ cap: 20 });
    await c.exec("hl-burn &");
    const samples: GuestMetrics[] = [];
    const sub = c.on("guest:metrics", (m) => samples.push(m));
    // Eight samples (one per 500 ms); the first two may predate the cap taking hold.
    await vi.waitFor(() => expect(samples.length).toBeGreaterThanOrEqual(8), { timeout: 15_000, interval: 100 });
    sub.dispose();
    const cpu = samples.slice(2).map((m) => m.cpuPercent);
    cpu.sort((x, y) => x - y);
    expect(cpu[Math.floor(cpu.length / 2)]).toBeLessThan(35);
    expect(c.share).toBeCloseTo(0.2);
    c.setQuota({ cap: 0 });
    await c.exec("kill %1");
  });

  it("inflates the balloon: the guest sees less memory and the host gets it back", async () => {
    const used = hv.memory().usedMiB;
    const guest = await hv.create({ image: "linux", name: "balloon", memoryMiB: 128, balloon: true });
    await guest.start();
    await guest.waitReady();
    expect(hv.memory().usedMiB - used).toBe(cost(128));
    const before = await memTotalKiB(guest);
    const report = await guest.setBalloon(64);
    expect(report).toEqual({ targetMiB: 64, actualMiB: 64 });
    const after = await memTotalKiB(guest);
    expect(before - after).toBeGreaterThanOrEqual(64 * 1024 - 1024);
    // The RAM the balloon took is free again; the guest's overhead stays while it runs.
    expect(hv.memory().usedMiB - used).toBe(cost(64));
    await guest.setBalloon(0);
    expect(await memTotalKiB(guest)).toBeGreaterThanOrEqual(before - 1024);
    expect(hv.memory().usedMiB - used).toBe(cost(128));
  });
});
