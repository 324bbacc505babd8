import type { Guest, Hypervisor, MemoryReport } from "@hyperlab/core";

/**
 * Which host each guest runs on, and each host's memory: what the hosts view lays out in its
 * columns. Follows the hypervisor's events, so a migration (from the page or a script) moves
 * the guest to its new column and both hosts' memory follows.
 */
export class HostPlacement {
  /** Host id of each guest (by guest id). */
  hostOf = $state.raw<Record<string, string>>({});
  /** Memory of each host (by host id). */
  memory = $state.raw<Record<string, MemoryReport>>({});

  private readonly stops: (() => void)[] = [];

  constructor(readonly hv: Hypervisor) {
    for (const guest of hv.guests) this.place(guest);
    this.measure();
    const subs = [
      hv.on("guest:created", (guest) => {
        this.place(guest);
        this.measure();
      }),
      hv.on("guest:removed", (guest) => {
        const { [guest.id]: _gone, ...rest } = this.hostOf;
        this.hostOf = rest;
        this.measure();
      }),
      hv.on("guest:migrated", ({ guest }) => {
        this.place(guest);
        this.measure();
      }),
      hv.on("guest:state", () => this.measure()),
      // A balloon can change what a live guest holds without a state change.
      hv.on("guest:metrics", () => this.measure()),
    ];
    this.stops.push(() => subs.forEach((s) => s.dispose()));
  }

  private place(guest: Guest): void {
    if (this.hostOf[guest.id] !== guest.placement.id) this.hostOf = { ...this.hostOf, [guest.id]: guest.placement.id };
  }

  /** Reads every host's memory again; the view only changes where a figure did. */
  private measure(): void {
    const next: Record<string, MemoryReport> = {};
    let changed = false;
    for (const host of this.hv.hosts) {
      const now = this.hv.memory(host);
      const before = this.memory[host.id];
      const same = before && before.usedMiB === now.usedMiB && before.budgetMiB === now.budgetMiB;
      next[host.id] = same ? before : now;
      changed ||= !same;
    }
    if (changed) this.memory = next;
  }

  dispose(): void {
    for (const stop of this.stops) stop();
  }
}
