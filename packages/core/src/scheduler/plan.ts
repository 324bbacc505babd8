/**
 * The hypervisor's scheduling round: from every guest that wants CPU, the share, phase and
 * enforced limit each one's worker should hold, and only the ones that changed enough to tell.
 */
import type { GuestState } from "../guest/state.js";
import { allocate, enforcedShares, phases } from "./scheduler.js";

/** States in which a guest's machine wants CPU (a paused one does not). */
export const SCHEDULED: readonly GuestState[] = ["booting", "running", "rebooting"];

export interface ScheduledGuest {
  id: string;
  state: GuestState;
  weight: number;
  cap: number;
  demand: number;
  /** What it was last told. */
  share: number;
  limit: number;
  phase: number;
}

export interface Placement {
  share: number;
  phase: number;
  /** What its worker enforces: its share, or 1 when the host's OS shares fairly anyway. */
  limit: number;
}

/** New placements for the guests whose share, limit or phase moved enough to be worth a message. */
export function plan(
  guests: readonly ScheduledGuest[],
  hostCores: number,
  machineCores: number,
): Map<string, Placement> {
  const live = guests.filter((g) => SCHEDULED.includes(g.state));
  const entries = live.map((g) => ({
    id: g.id,
    weight: g.weight,
    cap: g.cap,
    demand: g.demand,
    booting: g.state === "booting",
  }));
  const shares = allocate(entries, hostCores);
  const enforced = enforcedShares(entries, shares, hostCores, machineCores);
  const placed = phases(live.map((g) => ({ id: g.id, demand: g.demand, ...shares.get(g.id)! })));
  const changes = new Map<string, Placement>();
  for (const guest of live) {
    const { share } = shares.get(guest.id)!;
    const limit = enforced.has(guest.id) ? share : 1;
    const phase = placed.get(guest.id)!;
    const moved = Math.abs(phase - guest.phase);
    // A phase that moves by less than 1% of a period (1 ms) is not worth a message.
    if (
      Math.abs(share - guest.share) > 0.002 ||
      Math.abs(limit - guest.limit) > 0.002 ||
      Math.min(moved, 1 - moved) > 0.01
    )
      changes.set(guest.id, { share, phase, limit });
  }
  return changes;
}
