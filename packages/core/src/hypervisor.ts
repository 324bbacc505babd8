import { MemoryLedger, type MemoryReport } from "./admission/ledger.js";
import { GUEST_OVERHEAD_MIB } from "./admission/overhead.js";
import { HyperlabError } from "./errors.js";
import { Emitter } from "./events.js";
import { Guest, type GuestEvents } from "./guest/guest.js";
import { isAllowed } from "./guest/state.js";
import { findHost, makeHosts, type Host, type HostSpec } from "./hosts/host.js";
import type { ImageCatalog, LoadProgress } from "./images/catalog.js";
import { findReadySnapshot, warmUpImage } from "./images/ready.js";
import { DEFAULT_SEGMENT, Network } from "./network/network.js";
import { plan } from "./scheduler/plan.js";
import { readSnapshot, type Snapshot } from "./snapshot/format.js";
import { checkSpecAgainstImage, validateSpec, type GuestSpec, type ResolvedSpec } from "./spec.js";
import { SharedWasm, type WasmModule } from "./wasm.js";
import type { ChannelFactory } from "./worker/channel.js";
import type { SpareChannelFactory } from "./worker/spare.js";

export type { MemoryReport } from "./admission/ledger.js";

export interface HypervisorOptions {
  catalog: ImageCatalog;
  /** Makes one worker per guest (Node worker_threads or browser Workers). */
  channel: ChannelFactory;
  /**
   * Host memory the guests may use, in MiB: real memory, from which each guest takes its RAM
   * and `guestOverheadMiB`.
   */
  memoryBudgetMiB?: number;
  /**
   * What each guest costs its host beyond its RAM (its worker, v86's wasm instance and VGA
   * memory, console buffers), in MiB; by default the browser's measured figure
   * (admission/overhead.ts). The Node entry gives Node's.
   */
  guestOverheadMiB?: number;
  hostCores?: number;
  /**
   * Cores of the machine the workers run on. When `hostCores` covers them all, booting guests
   * with equal weights and no cap are left to the machine's own scheduler (see `enforcedShares`).
   * Unknown by default: shares are then always enforced.
   */
  machineCores?: number;
  /** Where workers find v86.wasm; each platform has a default. */
  wasmUrl?: string;
  /**
   * Compiles v86.wasm once for all workers (see MachineConfig.wasmModule). Called on the first
   * start; if it fails, each worker loads `wasmUrl` itself.
   */
  compileWasm?: () => Promise<WasmModule>;
  /**
   * Hosts guests are placed on and migrate between, each with its own memory budget; by
   * default one host ("Host A") with `memoryBudgetMiB`.
   */
  hosts?: HostSpec[];
}

export interface HypervisorEvents {
  "guest:created": Guest;
  "guest:removed": Guest;
  /** Every guest's state changes, forwarded. */
  "guest:state": GuestEvents["guest:state"];
  /** Every guest's metrics, forwarded (about twice a second per live guest). */
  "guest:metrics": GuestEvents["guest:metrics"];
  /** A guest moved to another host, with its downtime and the bytes copied. */
  "guest:migrated": GuestEvents["guest:migrated"];
}

export const DEFAULT_MEMORY_BUDGET_MIB = 1024;

/** How many of some new guests fit now (see Hypervisor.fit). */
export interface FitReport {
  /** Guests asked about. */
  count: number;
  /** How many of them fit, created one after another in that order. */
  fit: number;
  /** What all of them would need: RAM and overhead together, and each part. */
  needMiB: number;
  ramMiB: number;
  overheadMiB: number;
  /** Free now, on the host asked about or on all hosts together. */
  freeMiB: number;
  /** The host each guest that fits would go to (ids), in order. */
  hosts: string[];
}

function nameTaken(name: string): HyperlabError {
  return new HyperlabError("invalid-spec", `There is already a guest named "${name}".`, {
    field: "name",
    reason: "name-taken",
    name,
  });
}

/**
 * The host: creates guests from specs, admits them against the memory budget, and keeps
 * the list. Each guest runs in its own worker, so one guest's crash leaves the others be.
 */
export class Hypervisor extends Emitter<HypervisorEvents> {
  readonly catalog: ImageCatalog;
  readonly memoryBudgetMiB: number;
  /** What each guest costs its host beyond its RAM (admission counts both). */
  readonly guestOverheadMiB: number;
  private cores: number;
  private readonly machineCores: number;
  private readonly list: Guest[] = [];
  /** Hosts guests run on (see hosts/host.ts). */
  readonly hosts: readonly Host[];
  /** Every guest's memory, counted once; only the hypervisor admits. */
  private readonly ledger: MemoryLedger;
  private readonly wasm: SharedWasm;
  private nextId = 1;
  /** The virtual switch between guests' NICs, its segments, DHCP and capture. */
  readonly network = new Network();

  constructor(options: HypervisorOptions) {
    super();
    this.catalog = options.catalog;
    this.hosts = makeHosts(
      options.hosts ?? [{ memoryBudgetMiB: options.memoryBudgetMiB ?? DEFAULT_MEMORY_BUDGET_MIB }],
      options.channel,
    );
    this.guestOverheadMiB = options.guestOverheadMiB ?? GUEST_OVERHEAD_MIB.browser;
    if (!Number.isInteger(this.guestOverheadMiB) || this.guestOverheadMiB < 0)
      throw new HyperlabError("invalid-spec", "The guest overhead must be a whole number of MiB.", {
        field: "guestOverheadMiB",
      });
    this.ledger = new MemoryLedger(this.hosts, this.guestOverheadMiB);
    this.memoryBudgetMiB = this.ledger.report().budgetMiB;
    this.cores = options.hostCores ?? 1;
    this.machineCores = options.machineCores ?? Infinity;
    this.wasm = new SharedWasm(options.wasmUrl, options.compileWasm);
  }

  /** Host cores the scheduler shares among guests. */
  get hostCores(): number {
    return this.cores;
  }

  /** Changes how many host cores the guests share; applies at once. */
  setHostCores(cores: number): void {
    if (!Number.isInteger(cores) || cores < 1 || cores > 256)
      throw new HyperlabError(
        "invalid-spec",
        `Host cores must be a whole number from 1 to 256, not ${String(cores)}.`,
        {
          field: "hostCores",
          reason: "hostCores",
          value: String(cores),
        },
      );
    this.cores = cores;
    this.schedule();
  }

  /** Workers that run a guest's machine now (a spare kept ahead for the next launch is nobody's yet). */
  get workerCount(): number {
    return this.list.filter((g) => g.hasMachine).length;
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

  /** Memory of all hosts together, or of one host (by id, name or Host). */
  memory(host?: string | Host): MemoryReport {
    return this.ledger.report(typeof host === "string" ? this.findHost(host) : host);
  }

  /**
   * How many new guests of these RAM sizes fit now, each with its overhead, created one after
   * another as `create` would place them (on `placement.host`, or each on the host with the
   * most free memory then). Nothing is reserved: the launch dialog and labs ask before creating.
   */
  fit(memoryMiB: readonly number[], placement: { host?: string } = {}): FitReport {
    const host = placement.host ? this.findHost(placement.host) : undefined;
    const hosts = this.ledger.place(memoryMiB, host);
    const ramMiB = memoryMiB.reduce((sum, mib) => sum + mib, 0);
    const overheadMiB = memoryMiB.length * this.guestOverheadMiB;
    return {
      count: memoryMiB.length,
      fit: hosts.length,
      needMiB: ramMiB + overheadMiB,
      ramMiB,
      overheadMiB,
      freeMiB: this.ledger.report(host).freeMiB,
      hosts: hosts.map((h) => h.id),
    };
  }

  /** A host by id or name; throws `invalid-spec`. */
  findHost(idOrName: string): Host {
    return findHost(this.hosts, idOrName);
  }

  /**
   * Validates the spec, loads and checks the image, reserves memory and returns a guest in
   * state `created`. Nothing is reserved if any check fails.
   */
  async create(
    spec: GuestSpec,
    onProgress?: (progress: LoadProgress) => void,
    /**
     * Which host runs it (by default the one with the most free memory), and which network
     * segment its NIC is plugged into (by default "default"; a new name declares it).
     */
    placement: { host?: string; segment?: string } = {},
  ): Promise<Guest> {
    const id = `g${this.nextId}`;
    const resolved = validateSpec(spec, spec?.name ?? `guest-${this.nextId}`);
    if (this.list.some((g) => g.name === resolved.name)) throw nameTaken(resolved.name);
    const files =
      typeof resolved.image === "string"
        ? await this.catalog.load(resolved.image, onProgress)
        : await this.catalog.loadUserImage(resolved.image);
    const imageId = typeof resolved.image === "string" ? resolved.image : resolved.image.name;
    // The spec resolved once: the image's memory default and minimum, and a MAC per NIC, the
    // same for the same name on every run (see network/network.ts).
    const checked = checkSpecAgainstImage(resolved, { id: imageId, ...files });
    // Another create may have finished while the image loaded: check names and memory now.
    if (this.list.some((g) => g.name === checked.name)) throw nameTaken(checked.name);
    const host = placement.host ? this.findHost(placement.host) : this.ledger.roomiest();
    const segment = placement.segment ?? DEFAULT_SEGMENT;
    if (placement.segment !== undefined && checked.net === "none")
      throw new HyperlabError(
        "invalid-spec",
        `Guest "${checked.name}" has no network card, so it cannot join segment "${segment}".`,
        { field: "segment", guest: checked.name, segment },
      );
    // An address on its segment and memory on its host, both checked before anything is held.
    if (checked.net !== "none") this.network.checkRoom(segment, checked.name);
    const memory = this.ledger.admit(checked.name, checked.memoryMiB, host);
    const final: ResolvedSpec = Object.freeze({
      ...checked,
      mac: checked.net === "none" ? checked.mac : this.network.assignMac(checked.name, checked.mac),
    });
    const guest = new Guest(id, final, files, { memory, hosts: this.hosts, wasm: this.wasm });
    this.nextId++;
    guest.on("guest:state", (event) => {
      this.emit("guest:state", event);
      if (event.state === "terminated") {
        this.ledger.remove(memory);
        this.remove(guest);
      }
      this.schedule();
    });
    guest.on("guest:metrics", (metrics) => {
      this.emit("guest:metrics", metrics);
      this.schedule();
    });
    guest.on("guest:quota", () => this.schedule());
    guest.on("guest:migrated", (event) => this.emit("guest:migrated", event));
    this.list.push(guest);
    this.network.attach(guest, segment);
    this.emit("guest:created", guest);
    return guest;
  }

  private remove(guest: Guest): void {
    const i = this.list.indexOf(guest);
    if (i >= 0) this.list.splice(i, 1);
    this.network.detach(guest);
    this.emit("guest:removed", guest);
  }

  /**
   * A new guest from a snapshot: the snapshot's spec under a new name, its own MAC, started
   * from the saved machine. Nothing is left behind if the snapshot is refused.
   */
  async clone(snapshot: Snapshot, options: { name?: string; host?: string; mac?: string } = {}): Promise<Guest> {
    const { header } = readSnapshot(snapshot?.bytes);
    const { name: original, mac: _mac, ...spec } = header.spec;
    let name = options.name;
    for (let n = 1; !name; n++)
      if (!this.list.some((g) => g.name === `${original}-clone-${n}`)) name = `${original}-clone-${n}`;
    const guest = await this.create({ ...spec, name, mac: options.mac }, undefined, { host: options.host });
    try {
      await guest.start({ from: snapshot });
    } catch (error) {
      await guest.terminate().catch(() => undefined);
      throw error;
    }
    return guest;
  }

  /**
   * Gets ready, while nobody waits, what the first launch of `spec` would wait for: the image's
   * files (read and checked), v86.wasm compiled, the ready snapshot that fits unpacked, and a
   * spare worker where the channel keeps one (`keepSpare`). The lab app calls it at page load:
   * the first launch then takes as long as any other (Chromium: ~0.9 s → ~0.35 s). Never throws:
   * whatever fails here fails again, with its error, when the guest is launched.
   */
  async warmUp(spec: GuestSpec): Promise<void> {
    for (const host of this.hosts) (host.channel as Partial<SpareChannelFactory>).warm?.();
    await warmUpImage(this.catalog, spec, this.wasm);
  }

  /** The image's ready snapshot that fits this guest's memory and devices, or why there is none. */
  readySnapshot(guest: Guest): Promise<{ snapshot?: Snapshot; reason?: string }> {
    return findReadySnapshot(this.catalog, guest);
  }

  /**
   * Instant launch: starts a created guest from its image's ready snapshot (a shell within a
   * fraction of a second), or with a cold boot when there is none that fits or it fails.
   */
  async startInstant(guest: Guest): Promise<{ instant: boolean; reason?: string }> {
    let reason: string;
    try {
      const ready = await this.readySnapshot(guest);
      if (ready.snapshot) {
        await guest.start({ from: ready.snapshot });
        return { instant: true };
      }
      reason = ready.reason ?? "no ready snapshot";
    } catch (error) {
      reason = error instanceof Error ? error.message : String(error);
      if (!isAllowed("start", guest.state)) throw error;
    }
    await guest.start();
    return { instant: false, reason };
  }

  /** Recomputes every live guest's CPU share and sends the ones that changed (see scheduler/plan.ts). */
  private schedule(): void {
    const changes = plan(this.list, this.cores, this.machineCores);
    for (const guest of this.list) {
      const change = changes.get(guest.id);
      if (change) guest.applyShare(change.share, change.phase, change.limit);
    }
  }

  /** Terminates every guest. */
  async shutdown(): Promise<void> {
    await Promise.all([...this.list].map((g) => (g.state === "terminated" ? undefined : g.terminate())));
  }
}
