import { HyperlabError } from "./errors.js";
import { Emitter } from "./events.js";
import { Guest, type GuestEvents, type GuestHost } from "./guest/guest.js";
import type { ImageCatalog, LoadProgress } from "./images/catalog.js";
import { Network } from "./network/network.js";
import type { ChannelFactory } from "./runner/channel.js";
import { allocate } from "./scheduler/scheduler.js";
import { checkSpecAgainstImage, validateSpec, type GuestSpec } from "./spec.js";

export interface HypervisorOptions {
  catalog: ImageCatalog;
  /** Makes one worker per guest (Node worker_threads or browser Workers). */
  channel: ChannelFactory;
  /** Memory the host lends its guests, in MiB. */
  memoryBudgetMiB?: number;
  hostCores?: number;
  /** Where workers find v86.wasm; each platform has a default. */
  wasmUrl?: string;
}

export interface MemoryReport {
  budgetMiB: number;
  usedMiB: number;
  freeMiB: number;
}

export interface HypervisorEvents {
  "guest:created": Guest;
  "guest:removed": Guest;
  /** Every guest's state changes, forwarded. */
  "guest:state": GuestEvents["guest:state"];
  /** Every guest's metrics, forwarded (about twice a second per live guest). */
  "guest:metrics": GuestEvents["guest:metrics"];
}

export const DEFAULT_MEMORY_BUDGET_MIB = 1024;

/**
 * The host: creates guests from specs, admits them against the memory budget, and keeps
 * the list. Each guest runs in its own worker, so one guest's crash leaves the others be.
 */
export class Hypervisor extends Emitter<HypervisorEvents> {
  readonly catalog: ImageCatalog;
  readonly memoryBudgetMiB: number;
  private cores: number;
  private readonly list: Guest[] = [];
  private readonly reserved = new Map<Guest, number>();
  private nextId = 1;
  private readonly host: GuestHost;
  /** The virtual switch between guests' NICs, its segments, DHCP and capture. */
  readonly network = new Network();

  constructor(options: HypervisorOptions) {
    super();
    this.catalog = options.catalog;
    this.memoryBudgetMiB = options.memoryBudgetMiB ?? DEFAULT_MEMORY_BUDGET_MIB;
    this.cores = options.hostCores ?? 1;
    this.host = {
      channel: options.channel,
      wasmUrl: options.wasmUrl,
      admit: (guest) => this.admit(guest.name, guest.spec.memoryMiB, guest),
      reserve: (guest, mib) => {
        const now = this.reserved.get(guest) ?? 0;
        if (mib > now) this.admit(guest.name, mib - now);
        this.reserved.set(guest, mib);
      },
      release: (guest) => this.reserved.delete(guest),
      remove: (guest) => {
        const i = this.list.indexOf(guest);
        if (i >= 0) this.list.splice(i, 1);
        this.network.detach(guest);
        this.emit("guest:removed", guest);
      },
    };
  }

  /** Host cores the scheduler shares among guests. */
  get hostCores(): number {
    return this.cores;
  }

  /** Changes how many host cores the guests share; applies at once. */
  setHostCores(cores: number): void {
    if (!Number.isInteger(cores) || cores < 1 || cores > 256)
      throw new HyperlabError("invalid-spec", `Host cores must be a whole number from 1 to 256, not ${String(cores)}.`);
    this.cores = cores;
    this.schedule();
  }

  get guests(): readonly Guest[] {
    return this.list;
  }

  /** A guest by id or name; throws `unknown-guest`. */
  get(idOrName: string): Guest {
    const guest = this.list.find((g) => g.id === idOrName || g.name === idOrName);
    if (!guest) throw new HyperlabError("unknown-guest", `There is no guest "${idOrName}".`, { guest: idOrName });
    return guest;
  }

  memory(): MemoryReport {
    const usedMiB = [...this.reserved.values()].reduce((a, b) => a + b, 0);
    return { budgetMiB: this.memoryBudgetMiB, usedMiB, freeMiB: this.memoryBudgetMiB - usedMiB };
  }

  private admit(name: string, memoryMiB: number, guest?: Guest): void {
    const { usedMiB, freeMiB, budgetMiB } = this.memory();
    if (memoryMiB > freeMiB)
      throw new HyperlabError(
        "memory-over-budget",
        `Guest "${name}" needs ${memoryMiB} MiB but only ${freeMiB} MiB of the host's ${budgetMiB} MiB are free (${usedMiB} MiB in use).`,
        { memoryMiB, usedMiB, freeMiB, budgetMiB },
      );
    if (guest) this.reserved.set(guest, memoryMiB);
  }

  /**
   * Validates the spec, loads and checks the image, reserves memory and returns a guest in
   * state `created`. Nothing is reserved if any check fails.
   */
  async create(spec: GuestSpec, onProgress?: (progress: LoadProgress) => void): Promise<Guest> {
    const id = `g${this.nextId}`;
    const resolved = validateSpec(spec, spec?.name ?? `guest-${this.nextId}`);
    if (this.list.some((g) => g.name === resolved.name))
      throw new HyperlabError("invalid-spec", `There is already a guest named "${resolved.name}".`, { field: "name" });
    const files =
      typeof resolved.image === "string"
        ? await this.catalog.load(resolved.image, onProgress)
        : await this.catalog.loadUserImage(resolved.image);
    const imageId = typeof resolved.image === "string" ? resolved.image : resolved.image.name;
    const checked = checkSpecAgainstImage(resolved, { id: imageId, ...files });
    // Another create may have finished while the image loaded: check names and memory now.
    if (this.list.some((g) => g.name === checked.name))
      throw new HyperlabError("invalid-spec", `There is already a guest named "${checked.name}".`, { field: "name" });
    // A MAC per NIC, the same for the same name on every run (see network/network.ts).
    if (checked.net !== "none") checked.mac = this.network.assignMac(checked.name, checked.mac);
    const guest = new Guest(id, checked, files, this.host);
    this.host.admit(guest);
    this.nextId++;
    guest.on("guest:state", (event) => {
      this.emit("guest:state", event);
      this.schedule();
    });
    guest.on("guest:metrics", (metrics) => {
      this.emit("guest:metrics", metrics);
      this.schedule();
    });
    guest.on("guest:quota", () => this.schedule());
    this.list.push(guest);
    this.network.attach(guest);
    this.emit("guest:created", guest);
    return guest;
  }

  /** Recomputes every live guest's CPU share and sends the ones that changed. */
  private schedule(): void {
    const live = this.list.filter((g) => ["booting", "running", "rebooting"].includes(g.state));
    const shares = allocate(
      live.map((g) => ({ id: g.id, weight: g.weight, cap: g.cap, demand: g.demand })),
      this.cores,
    );
    for (const guest of live) {
      const { share } = shares.get(guest.id)!;
      if (Math.abs(share - guest.share) > 0.002) guest.applyShare(share);
    }
  }

  /** Terminates every guest. */
  async shutdown(): Promise<void> {
    await Promise.all([...this.list].map((g) => (g.state === "terminated" ? undefined : g.terminate())));
  }
}
