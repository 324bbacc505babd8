/**
 * How much host memory guests may have, per platform: real memory, from which each guest takes
 * its RAM and its overhead (admission/overhead.ts).
 */

/** What the host keeps for itself in Node: a quarter of the machine, at least this much. */
export const NODE_HOST_RESERVE_MIN_MIB = 512;

/**
 * Node: the machine's memory less what the host keeps for itself (its OS, Node, other
 * processes): a quarter of it, at least 512 MiB. 24 GiB → 18 GiB; 2 GiB → 1.5 GiB; 1 GiB → 512 MiB.
 */
export function nodeMemoryBudgetMiB(machineMiB: number): number {
  const reserve = Math.max(NODE_HOST_RESERVE_MIN_MIB, machineMiB / 4);
  return Math.max(0, Math.floor(machineMiB - reserve));
}

/** In a browser that does not say how much memory the device has (Firefox, Safari). */
export const BROWSER_BUDGET_UNKNOWN_MIB = 1024;
const BROWSER_BUDGET_MIN_MIB = 512;
const BROWSER_BUDGET_MAX_MIB = 2048;

/**
 * A browser tab: a quarter of the device's memory as the browser reports it
 * (`navigator.deviceMemory`, in GiB; Chromium rounds it and reports at most 8), from 512 MiB
 * to 2 GiB — the tab shares the device with the OS, the browser and the other tabs; 1 GiB when
 * the browser does not say. 8 GiB → 2048 MiB, 4 → 1024, 2 or less → 512.
 */
export function browserMemoryBudgetMiB(deviceMemoryGiB?: number): number {
  if (deviceMemoryGiB === undefined || !Number.isFinite(deviceMemoryGiB) || deviceMemoryGiB <= 0)
    return BROWSER_BUDGET_UNKNOWN_MIB;
  const quarter = Math.floor((deviceMemoryGiB * 1024) / 4);
  return Math.min(BROWSER_BUDGET_MAX_MIB, Math.max(BROWSER_BUDGET_MIN_MIB, quarter));
}
