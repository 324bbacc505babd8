import {
  canRunPath,
  isAllowed,
  pathDevice,
  pathSpec,
  runPath,
  type DeviceKey,
  type DeviceModel,
  type Guest,
  type Hypervisor,
  type PathResult,
  type WorkloadPair,
} from "@hyperlab/core";
import { shownError, type ShownError } from "../errors";

export type RowStatus = "waiting" | "booting" | "running" | "done" | "failed";

export interface ExperimentRow {
  side: DeviceModel;
  device: DeviceKey;
  status: RowStatus;
  /** The guest that ran it (the chosen one, or a scratch guest launched for it). */
  guestName?: string;
  result?: PathResult;
  error?: ShownError;
}

export const SIDES: readonly DeviceModel[] = ["full", "paravirtual"];
export const KIB_CHOICES = [64, 256, 1024] as const;

let scratch = 0;

/**
 * Runs one workload through both devices of a pair and keeps the results side by side.
 * A side runs on the chosen guest when it has the device (e.g. console "both"); otherwise a
 * small scratch guest with the device is launched for it and terminated afterwards.
 */
export class Experiment {
  pair = $state<WorkloadPair>("console");
  kib = $state<number>(256);
  running = $state(false);
  rows = $state.raw<ExperimentRow[]>([]);

  private update(side: DeviceModel, patch: Partial<ExperimentRow>): void {
    this.rows = this.rows.map((row) => (row.side === side ? { ...row, ...patch } : row));
  }

  async run(hv: Hypervisor, chosen: Guest | undefined): Promise<void> {
    if (this.running) return;
    this.running = true;
    const pair = this.pair;
    const kib = this.kib;
    this.rows = SIDES.map((side) => ({ side, device: pathDevice(pair, side), status: "waiting" as const }));
    try {
      for (const side of SIDES) await this.runSide(hv, chosen, pair, side, kib);
    } finally {
      this.running = false;
    }
  }

  private async runSide(
    hv: Hypervisor,
    chosen: Guest | undefined,
    pair: WorkloadPair,
    side: DeviceModel,
    kib: number,
  ): Promise<void> {
    const own = chosen && chosen.state === "running" && canRunPath(chosen.spec, pair, side) ? chosen : undefined;
    let guest = own;
    try {
      if (!guest) {
        this.update(side, { status: "booting" });
        guest = await hv.create({
          image: "linux",
          name: `paths-${pair}-${side}-${++scratch}`,
          ...pathSpec(pair, side),
        });
        this.update(side, { guestName: guest.name });
        await guest.start();
        await guest.waitReady({ timeoutMs: 120_000 });
      }
      this.update(side, { status: "running", guestName: guest.name });
      const result = await runPath(guest, pair, side, kib, { timeoutMs: 180_000 });
      this.update(side, { status: "done", result });
    } catch (error) {
      this.update(side, { status: "failed", error: shownError(error) });
    } finally {
      if (guest && !own && isAllowed("terminate", guest.state)) await guest.terminate().catch(() => undefined);
    }
  }

  /** full ÷ paravirtual exits per KiB, and paravirtual ÷ full KiB/s, once both ran. */
  get ratios(): { exits: number; throughput: number } | undefined {
    const [full, pv] = SIDES.map((side) => this.rows.find((r) => r.side === side)?.result);
    if (!full || !pv) return undefined;
    return { exits: full.exitsPerKiB / pv.exitsPerKiB, throughput: pv.kibPerSecond / full.kibPerSecond };
  }
}
