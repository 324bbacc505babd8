import { GUEST_OVERHEAD_MIB } from "@hyperlab/core";
import { afterEach, describe, expect, it } from "vitest";
import { Dashboard } from "../dashboard.svelte";
import { createdOnlyHypervisor } from "../testing/hypervisor";
import { memoryMeter } from "./memory-meter";

const OVERHEAD = GUEST_OVERHEAD_MIB.browser;
let dashboard: Dashboard | undefined;
afterEach(() => dashboard?.dispose());

describe("the host memory meter", () => {
  it("shows the guests' RAM and the overhead of running them apart, as the dashboard follows the hypervisor", async () => {
    const hv = createdOnlyHypervisor([{ memoryBudgetMiB: 1000 }]);
    dashboard = new Dashboard(hv);
    expect(dashboard.meter).toMatchObject({ guestMiB: 0, overheadMiB: 0, guestShare: 0, overheadShare: 0 });
    await hv.create({ image: "linux", name: "a", memoryMiB: 32 });
    await hv.create({ image: "linux", name: "b", memoryMiB: 64 });
    expect(dashboard.meter).toEqual({
      budgetMiB: 1000,
      usedMiB: 96 + 2 * OVERHEAD,
      freeMiB: 1000 - 96 - 2 * OVERHEAD,
      guestMiB: 96,
      overheadMiB: 2 * OVERHEAD,
      overheadPerGuestMiB: OVERHEAD,
      guestShare: 0.096,
      overheadShare: (2 * OVERHEAD) / 1000,
      high: false,
    });
    await hv.get("a").terminate();
    expect(dashboard.meter).toMatchObject({ guestMiB: 64, overheadMiB: OVERHEAD, usedMiB: 64 + OVERHEAD });
  });

  it("draws no more than the whole bar and turns high above 85 % used", () => {
    const report = { budgetMiB: 100, guests: 1, overheadPerGuestMiB: 60 };
    expect(memoryMeter({ ...report, usedMiB: 90, freeMiB: 10, guestMiB: 30, overheadMiB: 60 })).toMatchObject({
      guestShare: 0.3,
      overheadShare: 0.6,
      high: true,
    });
    // A budget that shrank under what is held (no overcommit, but a report can say so).
    const over = memoryMeter({ ...report, usedMiB: 160, freeMiB: -60, guestMiB: 100, overheadMiB: 60 });
    expect(over.guestShare + over.overheadShare).toBe(1);
    expect(
      memoryMeter({ ...report, budgetMiB: 0, usedMiB: 0, freeMiB: 0, guestMiB: 0, overheadMiB: 0 }).guestShare,
    ).toBe(0);
  });
});
