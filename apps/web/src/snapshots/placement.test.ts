import { GUEST_OVERHEAD_MIB } from "@hyperlab/core";
import { describe, expect, it } from "vitest";
import { createdOnlyHypervisor } from "../testing/hypervisor";
import { HostPlacement } from "./placement.svelte";

/** Each guest holds its RAM and the browser's overhead of running it. */
const OVERHEAD = GUEST_OVERHEAD_MIB.browser;

describe("host placement", () => {
  it("follows guests as they are created on a host and removed, with each host's memory", async () => {
    // Two 128 MiB hosts; guests are created on one of them, never started.
    const hv = createdOnlyHypervisor([{ memoryBudgetMiB: 128 }, { memoryBudgetMiB: 128 }]);
    const [a, b] = hv.hosts;
    const early = await hv.create({ image: "linux", name: "early", memoryMiB: 64 }, undefined, { host: a.id });
    const placement = new HostPlacement(hv);
    expect(placement.hostOf).toEqual({ [early.id]: a.id });
    expect(placement.memory[a.id].usedMiB).toBe(64 + OVERHEAD);
    expect(placement.memory[b.id].usedMiB).toBe(0);

    const late = await hv.create({ image: "linux", name: "late", memoryMiB: 32 }, undefined, { host: b.id });
    expect(placement.hostOf).toEqual({ [early.id]: a.id, [late.id]: b.id });
    expect(placement.memory[b.id]).toEqual({
      budgetMiB: 128,
      usedMiB: 32 + OVERHEAD,
      freeMiB: 96 - OVERHEAD,
      guestMiB: 32,
      overheadMiB: OVERHEAD,
      guests: 1,
      overheadPerGuestMiB: OVERHEAD,
    });

    await early.terminate();
    expect(placement.hostOf).toEqual({ [late.id]: b.id });
    expect(placement.memory[a.id].usedMiB).toBe(0);

    placement.dispose();
    await hv.create({ image: "linux", name: "unseen", memoryMiB: 32 }, undefined, { host: a.id });
    expect(Object.keys(placement.hostOf)).toEqual([late.id]);
  });
});
