/**
 * Admission counts what a guest really costs its host: its RAM and a per-platform overhead,
 * against a budget of real memory. With fake workers: nothing boots, create only reads the image.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { Guest } from "../guest/guest.js";
import type { Hypervisor } from "../hypervisor.js";
import { createNodeHypervisor } from "../node/index.js";
import { FakeWorkers } from "../testing/fake-machine.js";
import { browserMemoryBudgetMiB, nodeMemoryBudgetMiB } from "./budget.js";
import { GUEST_OVERHEAD_MIB } from "./overhead.js";

const NODE = GUEST_OVERHEAD_MIB.node;

let hvs: Hypervisor[] = [];
afterEach(async () => {
  await Promise.all(hvs.map((hv) => hv.shutdown()));
  hvs = [];
});

function nodeHypervisor(options: Parameters<typeof createNodeHypervisor>[0] = {}): Hypervisor {
  const hv = createNodeHypervisor({ channel: new FakeWorkers().factory, hostCores: 1, ...options });
  hvs.push(hv);
  return hv;
}

describe("budgets of real host memory", () => {
  it("in Node: the machine's memory less a quarter (at least 512 MiB) kept for the host", () => {
    expect(nodeMemoryBudgetMiB(24_576)).toBe(18_432);
    expect(nodeMemoryBudgetMiB(2048)).toBe(1536);
    expect(nodeMemoryBudgetMiB(1024)).toBe(512);
    expect(nodeMemoryBudgetMiB(512)).toBe(0);
  });

  it("in a browser: a quarter of the device's memory, 512 MiB to 2 GiB, 1 GiB when it does not say", () => {
    expect(browserMemoryBudgetMiB(8)).toBe(2048);
    expect(browserMemoryBudgetMiB(4)).toBe(1024);
    expect(browserMemoryBudgetMiB(0.5)).toBe(512);
    expect(browserMemoryBudgetMiB(undefined)).toBe(1024);
    expect(browserMemoryBudgetMiB(Number.NaN)).toBe(1024);
  });

  it("a Node host with little memory admits only the guests that fit with their overhead", async () => {
    const hv = nodeHypervisor({ machineMemoryMiB: 1024 });
    expect(hv.memoryBudgetMiB).toBe(512);
    expect(hv.guestOverheadMiB).toBe(NODE);
    // By RAM alone sixteen 32 MiB guests would fit; each costs 32 MiB + the overhead.
    const fits = Math.floor(512 / (32 + NODE));
    expect(hv.fit(Array<number>(16).fill(32))).toMatchObject({ count: 16, fit: fits, freeMiB: 512 });
    for (let i = 0; i < fits; i++) await hv.create({ image: "linux", name: `g${i}`, memoryMiB: 32 });
    const used = fits * (32 + NODE);
    expect(hv.memory()).toEqual({
      budgetMiB: 512,
      usedMiB: used,
      freeMiB: 512 - used,
      guestMiB: fits * 32,
      overheadMiB: fits * NODE,
      guests: fits,
      overheadPerGuestMiB: NODE,
    });
    await expect(hv.create({ image: "linux", name: "one-more", memoryMiB: 32 })).rejects.toMatchObject({
      code: "memory-over-budget",
      message: `Guest "one-more" needs ${32 + NODE} MiB (32 MiB of RAM and ${NODE} MiB to run it) but only ${512 - used} MiB of the host's 512 MiB are free (${used} MiB in use).`,
      details: { memoryMiB: 32 + NODE, ramMiB: 32, overheadMiB: NODE, freeMiB: 512 - used },
    });
    expect(hv.guests).toHaveLength(fits);
    expect(hv.fit([32]).fit).toBe(0);
  });
});

describe("placing guests on hosts", () => {
  it("puts each guest where create would (the host with the most free memory) and stops at the first that fits nowhere", async () => {
    const hv = nodeHypervisor({
      guestOverheadMiB: 50,
      hosts: [{ memoryBudgetMiB: 300 }, { memoryBudgetMiB: 200 }],
    });
    // 128 + 50 goes to A (300 free); then B has more free (200 vs 122): 64 + 50 to B; the
    // next 128 + 50 fits neither (122, 86), though both together have 208 free.
    expect(hv.fit([128, 64, 128, 16])).toEqual({
      count: 4,
      fit: 2,
      needMiB: 336 + 4 * 50,
      ramMiB: 336,
      overheadMiB: 200,
      freeMiB: 500,
      hosts: ["a", "b"],
    });
    const first = await hv.create({ image: "linux", name: "first", memoryMiB: 128 });
    const second = await hv.create({ image: "linux", name: "second", memoryMiB: 64 });
    expect([first.placement.id, second.placement.id]).toEqual(["a", "b"]);
    expect(hv.memory("a")).toMatchObject({ usedMiB: 178, guestMiB: 128, overheadMiB: 50, guests: 1 });
    await expect(hv.create({ image: "linux", name: "third", memoryMiB: 128 })).rejects.toMatchObject({
      code: "memory-over-budget",
    });
    expect(hv.fit([32], { host: "b" })).toMatchObject({ fit: 1, freeMiB: 86, hosts: ["b"] });
  });
});

describe("addresses on a segment", () => {
  it("refuses a guest on a full segment with a typed error, holding nothing, and reuses a departed guest's address", async () => {
    const hv = nodeHypervisor({ memoryBudgetMiB: 10_000 });
    // A /28: guests get .10 to .14.
    hv.network.defineSegment("small", "10.0.9.0/28");
    const guests: Guest[] = [];
    for (let i = 0; i < 5; i++)
      guests.push(await hv.create({ image: "linux", name: `s${i}`, net: "virtio" }, undefined, { segment: "small" }));
    expect(guests.map((g) => hv.network.addressOf(g))).toEqual(
      ["10", "11", "12", "13", "14"].map((n) => `10.0.9.${n}`),
    );
    const used = hv.memory().usedMiB;
    const error = await hv
      .create({ image: "linux", name: "sixth", net: "ne2k" }, undefined, { segment: "small" })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: "segment-full",
      message:
        'Segment "small" (10.0.9.0/28) has no address left for guest "sixth": its 5 guest addresses (10.0.9.10 to 10.0.9.14) are all taken by guests on it.',
      details: { reason: "segment-full", segment: "small", capacity: 5, guests: 5 },
    });
    expect(hv.guests).toHaveLength(5);
    expect(hv.memory().usedMiB).toBe(used);
    // A guest moved away (or gone) leaves its address to the next one that joins.
    hv.network.setSegment(guests[1], "default");
    const sixth = await hv.create({ image: "linux", name: "sixth", net: "ne2k" }, undefined, { segment: "small" });
    expect(hv.network.addressOf(sixth)).toBe("10.0.9.11");
    expect(hv.network.addresses("small")).toEqual({ subnet: "10.0.9.0/28", guests: 5, capacity: 5 });
    // Moving a guest onto the full segment is refused the same way.
    expect(() => hv.network.setSegment(guests[1], "small")).toThrow(expect.objectContaining({ code: "segment-full" }));
    expect(hv.network.addressOf(guests[1])).toMatch(/^10\.0\.0\./);
  });

  it("fills the default /24 with 245 guests and refuses the 246th (it used to fail as an internal error)", async () => {
    const hv = nodeHypervisor({ memoryBudgetMiB: 246 * (32 + NODE) });
    for (let i = 0; i < 245; i++) await hv.create({ image: "linux", name: `d${i}`, net: "ne2k" });
    expect(hv.network.addressOf("d244")).toBe("10.0.0.254");
    await expect(hv.create({ image: "linux", name: "d245", net: "ne2k" })).rejects.toMatchObject({
      code: "segment-full",
      details: { segment: "default", capacity: 245, guests: 245 },
    });
    // A guest without a NIC needs no address.
    await expect(hv.create({ image: "linux", name: "quiet" })).resolves.toBeDefined();
  });
});
