import type { Guest, Hypervisor, ImageEntry, MemoryReport } from "@hyperlab/core";
import { shownError, type ShownError } from "./errors";
import { memoryMeter } from "./host/memory-meter";
import { GuestView, type RowAction } from "./instances/guest-view.svelte";
import { CpuHistory } from "./scheduler/cpu-history.svelte";

export interface Notice {
  id: number;
  error: ShownError;
  /** The guest it is about, if any. */
  guestName?: string;
}

/**
 * The page's dashboard: its list of guest views, open consoles and notices (not a core `Lab`,
 * which is a lab file of guests and a network). It follows the hypervisor's events only, so guests made or
 * changed through `window.hyperlab` show up exactly like those launched from the page.
 */
export class Dashboard {
  readonly hv: Hypervisor;
  guests = $state<GuestView[]>([]);
  memory = $state.raw<MemoryReport>({
    budgetMiB: 0,
    usedMiB: 0,
    freeMiB: 0,
    guestMiB: 0,
    overheadMiB: 0,
    guests: 0,
    overheadPerGuestMiB: 0,
  });
  /** The memory meter: guests' RAM and the overhead of running them, apart. */
  readonly meter = $derived(memoryMeter(this.memory));
  images = $state.raw<ImageEntry[]>([]);
  catalogError = $state<ShownError | undefined>();
  catalogLoaded = $state(false);
  /** Ids of guests whose consoles are open, in the order they were opened. */
  openConsoles = $state<string[]>([]);
  notices = $state<Notice[]>([]);
  /** Host cores the scheduler shares among guests. */
  hostCores = $state(0);
  /** Every guest's CPU share over the last minute, kept while other views are shown. */
  readonly cpu: CpuHistory;
  /** Wall clock for uptimes, ticking once a second. */
  now = $state(Date.now());

  readonly running = $derived(this.guests.filter((g) => g.state === "running").length);
  readonly totalMips = $derived(this.guests.reduce((sum, g) => sum + (g.mips ?? 0), 0));
  /** Sum of guests' CPU % (each of one core), or undefined when no guest reports it. */
  readonly cpuPercent = $derived(
    this.guests.some((g) => g.cpuPercent !== undefined)
      ? this.guests.reduce((sum, g) => sum + (g.cpuPercent ?? 0), 0)
      : undefined,
  );

  private nextNotice = 1;
  private readonly stops: (() => void)[] = [];

  constructor(hv: Hypervisor) {
    this.hv = hv;
    this.memory = hv.memory();
    this.hostCores = hv.hostCores;
    this.cpu = new CpuHistory(hv);
    this.stops.push(() => this.cpu.dispose());
    for (const guest of hv.guests) this.add(guest);
    const subs = [
      hv.on("guest:created", (guest) => this.add(guest)),
      hv.on("guest:removed", (guest) => this.remove(guest)),
      hv.on("guest:state", ({ guest, state, reason }) => {
        this.memory = hv.memory();
        if (state === "crashed") this.notify({ code: "guest-crashed", message: reason ?? "" }, guest.name);
      }),
      // About twice a second per live guest, from its worker's own sample.
      hv.on("guest:metrics", ({ guest, mips, cpuPercent, jit }) => {
        this.view(guest.id)?.setMetrics(mips, cpuPercent, jit);
        // A balloon can change what a live guest holds without a state change.
        const memory = hv.memory();
        if (memory.usedMiB !== this.memory.usedMiB) this.memory = memory;
      }),
    ];
    this.stops.push(() => subs.forEach((s) => s.dispose()));
    const tick = setInterval(() => (this.now = Date.now()), 1000);
    this.stops.push(() => clearInterval(tick));
  }

  async loadCatalog(): Promise<void> {
    try {
      this.images = await this.hv.catalog.list();
      this.catalogError = undefined;
    } catch (error) {
      this.catalogError = shownError(error);
    } finally {
      this.catalogLoaded = true;
    }
  }

  /** Throws the core's error (a HyperlabError) for a bad count. */
  setHostCores(cores: number): void {
    try {
      this.hv.setHostCores(cores);
    } finally {
      this.hostCores = this.hv.hostCores;
    }
  }

  view(id: string): GuestView | undefined {
    return this.guests.find((g) => g.id === id);
  }

  private add(guest: Guest): void {
    if (this.view(guest.id)) return;
    this.guests.push(new GuestView(guest));
    this.memory = this.hv.memory();
  }

  private remove(guest: Guest): void {
    this.view(guest.id)?.dispose();
    this.guests = this.guests.filter((g) => g.id !== guest.id);
    this.openConsoles = this.openConsoles.filter((id) => id !== guest.id);
    this.memory = this.hv.memory();
  }

  openConsole(id: string): void {
    if (!this.openConsoles.includes(id)) this.openConsoles.push(id);
  }

  closeConsole(id: string): void {
    this.openConsoles = this.openConsoles.filter((c) => c !== id);
  }

  /** Does what the user asked; the core's refusal (a HyperlabError) becomes a notice. */
  attempt(action: () => void, guestName?: string): void {
    try {
      action();
    } catch (error) {
      this.notify(shownError(error), guestName);
    }
  }

  /** Runs a row action on a guest (see GuestView.act); a refusal becomes a notice about it. */
  async act(view: GuestView, action: RowAction): Promise<void> {
    try {
      await view.act(action);
    } catch (error) {
      this.notify(shownError(error), view.name);
    }
  }

  notify(error: ShownError, guestName?: string): void {
    this.notices.push({ id: this.nextNotice++, error, guestName });
  }

  dismiss(id: number): void {
    this.notices = this.notices.filter((n) => n.id !== id);
  }

  dispose(): void {
    for (const stop of this.stops) stop();
    for (const view of this.guests) view.dispose();
  }
}
