import { HyperlabError } from "../errors.js";
import { addSample, emptyTotals, type ProbeSample, type ProbeTotals } from "../probes/metrics.js";
import type { WorkerLink } from "./link.js";

/**
 * A guest's device probes, seen from the host: whether they are on, and what they counted since
 * they were switched on. The machine counts (machine/probes/); this sums its samples.
 */
export class GuestProbes {
  private on = false;
  private sums: ProbeTotals = emptyTotals();

  constructor(
    private readonly name: string,
    private readonly link: WorkerLink,
    private readonly emit: (sample: ProbeSample, totals: ProbeTotals) => void,
  ) {}

  get enabled(): boolean {
    return this.on;
  }

  get totals(): ProbeTotals {
    return this.sums;
  }

  /** A sample from the machine; counted only while the probes are on. */
  add(sample: ProbeSample): void {
    if (!this.on) return;
    addSample(this.sums, sample);
    this.emit(sample, this.sums);
  }

  async set(on: boolean): Promise<void> {
    if (on === this.on) return;
    this.on = on;
    if (on) this.sums = emptyTotals();
    if (this.link.connected) await this.link.request({ type: "probes", enable: on });
  }

  async read(): Promise<ProbeSample> {
    if (!this.on)
      throw new HyperlabError(
        "invalid-state",
        `The probes of guest "${this.name}" are off; call setProbes(true) first.`,
      );
    const sample = await this.link.request({ type: "probes" });
    this.add(sample);
    return sample;
  }
}
