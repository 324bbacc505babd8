import type { MemoryReport } from "@hyperlab/core";

/**
 * The host memory meter's model: what guests hold of the budget, split into their RAM and the
 * overhead of running them (each guest's worker, v86's wasm instance and VGA memory), so that
 * the meter shows both apart and what a guest really costs.
 */
export interface MemoryMeter {
  budgetMiB: number;
  usedMiB: number;
  freeMiB: number;
  guestMiB: number;
  overheadMiB: number;
  /** What each guest costs beyond its RAM. */
  overheadPerGuestMiB: number;
  /** Shares of the budget (0–1) the bar draws: RAM first, then overhead. */
  guestShare: number;
  overheadShare: number;
  /** More than 85 % used. */
  high: boolean;
}

export function memoryMeter(report: MemoryReport): MemoryMeter {
  const { budgetMiB, usedMiB, freeMiB, guestMiB, overheadMiB, overheadPerGuestMiB } = report;
  const share = (mib: number) => (budgetMiB > 0 ? Math.min(1, Math.max(0, mib / budgetMiB)) : 0);
  const guestShare = share(guestMiB);
  return {
    budgetMiB,
    usedMiB,
    freeMiB,
    guestMiB,
    overheadMiB,
    overheadPerGuestMiB,
    guestShare,
    overheadShare: Math.min(1 - guestShare, share(overheadMiB)),
    high: share(usedMiB) > 0.85,
  };
}
