import type { ConsoleKind } from "../spec.js";
import type { ProbeSample, ProbeTotals } from "../probes/metrics.js";
import type { MigrationReport } from "../hosts/host.js";
import type { SnapshotHeader } from "../snapshot/format.js";
import type { Guest } from "./guest.js";
import type { GuestState } from "./state.js";

export interface GuestStateEvent {
  guest: Guest;
  state: GuestState;
  previous: GuestState;
  /** Why, for `crashed` (the emulator's own words). */
  reason?: string;
}

export interface GuestOutputEvent {
  guest: Guest;
  console: ConsoleKind;
  bytes: Uint8Array;
  text: string;
}

/** One guest's CPU over the last sample interval (about half a second). */
export interface GuestMetrics {
  guest: Guest;
  at: number;
  intervalMs: number;
  /** Instructions run in the interval. */
  instructions: number;
  mips: number;
  /** Time the guest ran, as % of one host core. */
  cpuPercent: number;
  /** Time the guest was ready to run but held back by its share ("steal"). */
  throttledMs: number;
  /** The share the scheduler gives it, as a fraction of one host core. */
  share: number;
  weight: number;
  cap: number;
  /**
   * Whether v86 translates the guest's hot code to WebAssembly (its JIT) or interprets every
   * instruction: it interprets while the guest boots and translates once the shell is ready.
   */
  jit: boolean;
}

/** Device probes of one guest over one interval, and the totals since they were switched on. */
export interface GuestProbesEvent {
  guest: Guest;
  sample: ProbeSample;
  totals: ProbeTotals;
}

export interface GuestEvents {
  "guest:state": GuestStateEvent;
  /** Device probes, every sample interval while they are on (see `setProbes`). */
  "guest:probes": GuestProbesEvent;
  "guest:output": GuestOutputEvent;
  "guest:ready": { guest: Guest; console: ConsoleKind };
  "guest:metrics": GuestMetrics;
  /** Weight or cap changed. */
  "guest:quota": { guest: Guest; weight: number; cap: number };
  /** A frame the guest's NIC sent (the hypervisor's network forwards it to the switch). */
  "guest:frame": { guest: Guest; bytes: Uint8Array };
  /** The guest moved to another host (live migration), with what it cost. */
  "guest:migrated": MigrationReport & { guest: Guest };
  /** The guest's machine was replaced by a snapshot's. */
  "guest:restored": { guest: Guest; header: SnapshotHeader };
}
