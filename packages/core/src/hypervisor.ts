import { HyperlabError } from "./errors.js";
import { Emitter } from "./events.js";
import { Guest, type GuestEvents, type GuestHost } from "./guest/guest.js";
import type { ImageCatalog, LoadProgress } from "./images/catalog.js";
import type { ImageEntry, ReadySnapshotFile } from "./images/manifest.js";
import { Network } from "./network/network.js";
import type { ChannelFactory } from "./worker/channel.js";
import { allocate, enforcedShares, phases } from "./scheduler/scheduler.js";
import type { WasmModule } from "./wasm.js";
import { checkSpecAgainstImage, validateSpec, type GuestSpec } from "./spec.js";
import { makeHosts, type Host, type HostSpec } from "./hosts/host.js";
import { imageSha256, incompatibility, readSnapshot, snapshotState, type Snapshot } from "./snapshot/format.js";
import type { SpareChannelFactory } from "./worker/spare.js";

export interface HypervisorOptions {
  catalog: ImageCatalog;
  /** Makes one worker per guest (Node worker_threads or browser Workers). */
  channel: ChannelFactory;
  /** Memory the host lends its guests, in MiB. */
  memoryBudgetMiB?: number;
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
  /** A guest moved to another host, with its downtime and the bytes copied. */
  "guest:migrated": GuestEvents["guest:migrated"];
}

export const DEFAULT_MEMORY_BUDGET_MIB = 1024;

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
  private cores: number;
  private readonly machineCores: number;
  private readonly list: Guest[] = [];
  private readonly reserved = new Map<Guest, number>();
  /** Hosts guests run on (see snapshot/host.ts). */
  readonly hosts: readonly Host[];
  /** Memory held on a migration's target until the guest has moved. */
  private readonly incoming = new Map<Guest, { host: Host; mib: number }>();
  private nextId = 1;
  private readonly host: GuestHost;
  private compiled?: Promise<WasmModule | undefined>;
  /** The virtual switch between guests' NICs, its segments, DHCP and capture. */
  readonly network = new Network();

  constructor(options: HypervisorOptions) {
    super();
    this.catalog = options.catalog;
    this.hosts = makeHosts(
      options.hosts ?? [{ memoryBudgetMiB: options.memoryBudgetMiB ?? DEFAULT_MEMORY_BUDGET_MIB }],
      options.channel,
    );
    this.memoryBudgetMiB = this.hosts.reduce((sum, h) => sum + h.memoryBudgetMiB, 0);
    this.cores = options.hostCores ?? 1;
    this.machineCores = options.machineCores ?? Infinity;
    this.host = {
      channel: options.channel,
      wasmUrl: options.wasmUrl,
      wasmModule: () => {
        if (!options.compileWasm) return Promise.resolve(undefined);
        this.compiled ??= options.compileWasm().catch(() => undefined);
        return this.compiled;
      },
      admit: (guest) => this.admit(guest.name, guest.spec.memoryMiB, guest),
      reserve: (guest, mib) => {
        const now = this.reserved.get(guest) ?? 0;
        if (mib > now) this.admit(guest.name, mib - now, undefined, guest.placement);
        this.reserved.set(guest, mib);
      },
      release: (guest) => {
        this.reserved.delete(guest);
        this.incoming.delete(guest);
      },
      findHost: (idOrName) => this.findHost(idOrName),
      admitOn: (guest, host) => {
        this.admit(guest.name, guest.reservedMiB, undefined, host);
        this.incoming.set(guest, { host, mib: guest.reservedMiB });
      },
      moved: (guest) => this.incoming.delete(guest),
      cancelMove: (guest) => this.incoming.delete(guest),
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
    const on = host === undefined ? undefined : typeof host === "string" ? this.findHost(host) : host;
    let usedMiB = 0;
    for (const [guest, mib] of this.reserved) if (!on || guest.placement === on) usedMiB += mib;
    for (const move of this.incoming.values()) if (!on || move.host === on) usedMiB += move.mib;
    const budgetMiB = on ? on.memoryBudgetMiB : this.memoryBudgetMiB;
    return { budgetMiB, usedMiB, freeMiB: budgetMiB - usedMiB };
  }

  /** A host by id or name; throws `invalid-spec`. */
  findHost(idOrName: string): Host {
    const host = this.hosts.find((h) => h.id === idOrName || h.name === idOrName);
    if (!host)
      throw new HyperlabError(
        "invalid-spec",
        `There is no host "${idOrName}"; the hosts are ${this.hosts.map((h) => h.name).join(", ")}.`,
        { field: "host" },
      );
    return host;
  }

  private admit(name: string, memoryMiB: number, guest?: Guest, host = guest?.placement ?? this.hosts[0]): void {
    const { usedMiB, freeMiB, budgetMiB } = this.memory(host);
    const where = this.hosts.length > 1 ? `${host.name}'s` : "the host's";
    if (memoryMiB > freeMiB)
      throw new HyperlabError(
        "memory-over-budget",
        `Guest "${name}" needs ${memoryMiB} MiB but only ${freeMiB} MiB of ${where} ${budgetMiB} MiB are free (${usedMiB} MiB in use).`,
        { guest: name, host: this.hosts.length > 1 ? host.name : undefined, memoryMiB, usedMiB, freeMiB, budgetMiB },
      );
    if (guest) this.reserved.set(guest, memoryMiB);
  }

  /**
   * Validates the spec, loads and checks the image, reserves memory and returns a guest in
   * state `created`. Nothing is reserved if any check fails.
   */
  async create(
    spec: GuestSpec,
    onProgress?: (progress: LoadProgress) => void,
    /** Which host runs it; by default the one with the most free memory. */
    placement: { host?: string } = {},
  ): Promise<Guest> {
    const id = `g${this.nextId}`;
    const resolved = validateSpec(spec, spec?.name ?? `guest-${this.nextId}`);
    if (this.list.some((g) => g.name === resolved.name)) throw nameTaken(resolved.name);
    const files =
      typeof resolved.image === "string"
        ? await this.catalog.load(resolved.image, onProgress)
        : await this.catalog.loadUserImage(resolved.image);
    const imageId = typeof resolved.image === "string" ? resolved.image : resolved.image.name;
    const checked = checkSpecAgainstImage(resolved, { id: imageId, ...files });
    // Another create may have finished while the image loaded: check names and memory now.
    if (this.list.some((g) => g.name === checked.name)) throw nameTaken(checked.name);
    // A MAC per NIC, the same for the same name on every run (see network/network.ts).
    if (checked.net !== "none") checked.mac = this.network.assignMac(checked.name, checked.mac);
    const host = placement.host
      ? this.findHost(placement.host)
      : this.hosts.reduce((best, h) => (this.memory(h).freeMiB > this.memory(best).freeMiB ? h : best));
    const guest = new Guest(id, checked, files, this.host, host);
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
    guest.on("guest:migrated", (event) => this.emit("guest:migrated", event));
    this.list.push(guest);
    this.network.attach(guest);
    this.emit("guest:created", guest);
    return guest;
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
    try {
      const resolved = validateSpec(spec, spec?.name);
      if (typeof resolved.image !== "string") return;
      const entry = await this.catalog.get(resolved.image);
      const checked = checkSpecAgainstImage(resolved, entry);
      const file = this.readySnapshotFile(entry, checked);
      await Promise.all([
        this.catalog.load(entry.id),
        this.host.wasmModule(),
        file && this.catalog.loadFile(file).then((bytes) => snapshotState(readSnapshot(bytes))),
      ]);
    } catch {
      // see above
    }
  }

  private readySnapshotFile(
    entry: ImageEntry,
    spec: Pick<GuestSpec, "memoryMiB" | "console" | "net" | "balloon">,
  ): ReadySnapshotFile | undefined {
    return entry.readySnapshots?.find(
      (f) =>
        f.memoryMiB === spec.memoryMiB &&
        f.console === spec.console &&
        f.net === spec.net &&
        f.balloon === spec.balloon,
    );
  }

  /** The image's ready snapshot that fits this guest's memory and devices, or why there is none. */
  async readySnapshot(guest: Guest): Promise<{ snapshot?: Snapshot; reason?: string }> {
    const { spec } = guest;
    if (typeof spec.image !== "string") return { reason: "An image the user brings has no ready snapshot." };
    const entry = await this.catalog.get(spec.image);
    const file = this.readySnapshotFile(entry, spec);
    if (!file)
      return {
        reason: `Image "${entry.id}" has no ready snapshot for ${spec.memoryMiB} MiB with console ${spec.console}, network ${spec.net}, balloon ${spec.balloon ? "on" : "off"}.`,
      };
    const snapshot = readSnapshot(await this.catalog.loadFile(file));
    const reason = incompatibility(snapshot.header, {
      name: guest.name,
      spec: { ...spec, image: spec.image },
      imageSha256: await imageSha256(guest.files),
    });
    return reason ? { reason } : { snapshot };
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
      if (!["created", "stopped", "crashed"].includes(guest.state)) throw error;
    }
    await guest.start();
    return { instant: false, reason };
  }

  /** Recomputes every live guest's CPU share and sends the ones that changed. */
  private schedule(): void {
    const live = this.list.filter((g) => ["booting", "running", "rebooting"].includes(g.state));
    const entries = live.map((g) => ({
      id: g.id,
      weight: g.weight,
      cap: g.cap,
      demand: g.demand,
      booting: g.state === "booting",
    }));
    const shares = allocate(entries, this.cores);
    const enforced = enforcedShares(entries, shares, this.cores, this.machineCores);
    const placed = phases(live.map((g) => ({ id: g.id, demand: g.demand, ...shares.get(g.id)! })));
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
        guest.applyShare(share, phase, limit);
    }
  }

  /** Terminates every guest. */
  async shutdown(): Promise<void> {
    await Promise.all([...this.list].map((g) => (g.state === "terminated" ? undefined : g.terminate())));
  }
}
