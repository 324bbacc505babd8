import { HyperlabError, describeError } from "../errors.js";
import { Emitter } from "../events.js";
import type { BootFiles } from "../images/catalog.js";
import type {
  BalloonReport,
  HostRequest,
  MachineConfig,
  MachineCounters,
  MachineSample,
  WorkerMessage,
} from "../worker/protocol.js";
import { estimateDemand } from "../scheduler/scheduler.js";
import type { ChannelFactory, GuestChannel } from "../worker/channel.js";
import type { ConsoleKind, ResolvedSpec } from "../spec.js";
import { ConsoleLog } from "./console.js";
import type { WasmModule } from "../wasm.js";
import { HOLDS_MEMORY, assertAllowed, type GuestState } from "./state.js";
import { addSample, emptyTotals, type ProbeSample, type ProbeTotals } from "../devices/metrics.js";
import type { Host, MigrationReport } from "../hosts/host.js";
import {
  assertCompatible,
  encodeSnapshot,
  imageSha256,
  readSnapshot,
  snapshotState,
  type Snapshot,
  type SnapshotHeader,
} from "../snapshot/format.js";

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

export interface WaitOptions {
  console?: ConsoleKind;
  timeoutMs?: number;
}

export interface ExecResult {
  output: string;
  exitCode: number;
}

/** What a guest needs from its hypervisor. */
export interface GuestHost {
  readonly channel: ChannelFactory;
  readonly wasmUrl?: string;
  /** v86.wasm compiled once for all guests, when the platform can share it. */
  wasmModule(): Promise<WasmModule | undefined>;
  /** Reserves the guest's memory or throws `memory-over-budget`. */
  admit(guest: Guest): void;
  /** Changes a live guest's reservation; growing it is checked against the budget. */
  reserve(guest: Guest, mib: number): void;
  release(guest: Guest): void;
  remove(guest: Guest): void;
  /** A host by id or name; throws `invalid-spec`. */
  findHost(idOrName: string): Host;
  /** Reserves the guest's memory on a migration target, or throws `memory-over-budget`. */
  admitOn(guest: Guest, host: Host): void;
  /** Ends a migration: `moved` makes the target the guest's host, `cancelMove` drops the target's reservation. */
  moved(guest: Guest, host: Host): void;
  cancelMove(guest: Guest): void;
}

const DEFAULT_BOOT_TIMEOUT_MS = 60_000;
const DEFAULT_EXEC_TIMEOUT_MS = 60_000;
/** A terminal's answer to "where is the cursor?" (ESC [6n): row 1, column 1. */
const CURSOR_REPORT = "\x1b[1;1R";
const SHUTDOWN_GRACE_MS = 2_000;
/** What a balloon leaves a guest at the least. */
const MIN_GUEST_MIB = 16;

/**
 * The files a worker gets: a machine that starts from a saved state has its kernel in memory
 * already, so the bzImage and initrd (~6 MB for the default image) are not copied to it (a
 * reset sends them; see the worker's "reset").
 */
function bootFiles(files: BootFiles, initialState: unknown): BootFiles {
  return initialState ? { ...files, bzimage: undefined, initrd: undefined } : files;
}

/** Strips the user's bytes from the spec: they travel as BootFiles. */
function machineSpec(spec: ResolvedSpec): MachineConfig["spec"] {
  return { ...spec, image: typeof spec.image === "string" ? spec.image : spec.image.name };
}

/**
 * One guest, seen from the host: its lifecycle, its consoles, and requests to its worker.
 * Every action checks the state first and throws `invalid-state` with a sentence if it does not fit.
 */
export class Guest extends Emitter<GuestEvents> {
  private currentState: GuestState = "created";
  private channel?: GuestChannel;
  private nextRequest = 1;
  private readonly pending = new Map<
    number,
    { channel: GuestChannel; resolve(v: unknown): void; reject(e: Error): void }
  >();
  /** Set while a migration or restore swaps the machine; input typed meanwhile waits here. */
  private moving?: { what: string; input: { console: ConsoleKind; bytes: Uint8Array }[] };
  private readonly readyConsoles = new Set<ConsoleKind>();
  private readonly execQueue: Record<ConsoleKind, Promise<unknown>> = {
    serial: Promise.resolve(),
    virtio: Promise.resolve(),
  };
  private execSeq = 0;
  /** Bumped on every boot so that late events of an earlier run are ignored. */
  private generation = 0;

  readonly consoles: Record<ConsoleKind, ConsoleLog> = {
    serial: new ConsoleLog("serial"),
    virtio: new ConsoleLog("virtio"),
  };
  crashReason?: string;
  private currentWeight: number;
  private currentCap: number;
  private currentShare = 1;
  private currentPhase = 0;
  private currentLimit = 1;
  private cableIn = true;
  /** A console on which the core runs a command of its own: its output is not shown. */
  private housekeeping?: ConsoleKind;
  private virtioSize = { cols: 80, rows: 25 };
  private reclaimedMiB = 0;
  /** What the guest wants of a core, from its last sample (for the scheduler). */
  demand = 1;
  /** The latest metrics, for late viewers. */
  metrics?: GuestMetrics;
  /** When the current run began (ms since the epoch), for uptime. */
  startedAt?: number;

  constructor(
    readonly id: string,
    readonly spec: ResolvedSpec,
    readonly files: BootFiles,
    private readonly host: GuestHost,
    /** The host whose workers run this guest (changes on migration). */
    public placement: Host,
  ) {
    super();
    this.currentWeight = spec.weight;
    this.currentCap = spec.cap;
  }

  get weight(): number {
    return this.currentWeight;
  }

  get cap(): number {
    return this.currentCap;
  }

  /** The scheduler's current share for this guest (fraction of one host core). */
  get share(): number {
    return this.currentShare;
  }

  /** Changes weight and/or cap; the scheduler applies it at once. */
  setQuota(quota: { weight?: number; cap?: number }): void {
    if (this.state === "terminated") assertAllowed("start", this.state, this.name);
    const weight = quota.weight ?? this.currentWeight;
    const cap = quota.cap ?? this.currentCap;
    if (!Number.isInteger(weight) || weight < 1 || weight > 65535)
      throw new HyperlabError("invalid-spec", `Weight must be a whole number from 1 to 65535, not ${String(weight)}.`, {
        field: "weight",
        reason: "weight",
        value: String(weight),
      });
    if (typeof cap !== "number" || !(cap >= 0 && cap <= 100))
      throw new HyperlabError(
        "invalid-spec",
        `Cap must be a percentage of one core from 0 (no cap) to 100, not ${String(cap)}.`,
        { field: "cap", reason: "cap", value: String(cap) },
      );
    this.currentWeight = weight;
    this.currentCap = cap;
    this.emit("guest:quota", { guest: this, weight, cap });
  }

  /** Sets the virtio console's window size (hvc0); the serial console has none to set. */
  resize(cols: number, rows: number): void {
    if (!Number.isInteger(cols) || !Number.isInteger(rows) || cols < 2 || rows < 2 || cols > 1000 || rows > 1000)
      throw new HyperlabError("invalid-spec", `A console is 2 to 1000 columns and rows, not ${cols}×${rows}.`);
    this.virtioSize = { cols, rows };
    if (this.isReady("virtio")) this.channel?.send({ type: "resize", cols, rows });
  }

  /** Set by the hypervisor's scheduler; the guest's worker enforces it. */
  applyShare(share: number, phase = this.currentPhase, limit = share): void {
    this.currentShare = share;
    this.currentPhase = phase;
    this.currentLimit = limit;
    this.channel?.send({ type: "share", share: limit, phase });
  }

  /**
   * Tells the guest's NIC whether its cable is plugged into the switch (the network calls this;
   * a virtio-net guest then sees its carrier go and come back, an NE2000 guest cannot tell).
   */
  setCable(up: boolean): void {
    this.cableIn = up;
    this.channel?.send({ type: "link", up });
  }

  /** What the guest's worker enforces: its share, or 1 when the host's OS shares fairly anyway. */
  get limit(): number {
    return this.currentLimit;
  }

  /** Where in each scheduling period the guest runs (see scheduler.ts `phases`). */
  get phase(): number {
    return this.currentPhase;
  }

  /** Memory the host holds for this guest now: its RAM less what its balloon gave back. */
  get reservedMiB(): number {
    return this.spec.memoryMiB - this.reclaimedMiB;
  }

  private onSample(sample: MachineSample): void {
    this.demand = sample.running ? estimateDemand(sample, this.currentShare) : 0;
    const interval = Math.max(1, sample.intervalMs);
    this.metrics = {
      guest: this,
      at: sample.at,
      intervalMs: sample.intervalMs,
      instructions: sample.instructions,
      mips: sample.instructions / interval / 1000,
      cpuPercent: Math.min(100, (sample.busyMs / interval) * 100),
      throttledMs: sample.throttledMs,
      share: this.currentShare,
      weight: this.currentWeight,
      cap: this.currentCap,
      jit: sample.jit,
    };
    this.emit("guest:metrics", this.metrics);
  }

  /**
   * Inflates (or deflates) the guest's virtio balloon so that it gives `mib` MiB back to the
   * host, and waits until its driver has done so. Reclaimed memory is free in the host budget;
   * taking it back (deflating) needs that much free budget again.
   */
  async setBalloon(mib: number, options: { timeoutMs?: number } = {}): Promise<BalloonReport> {
    if (!this.spec.balloon)
      throw new HyperlabError("invalid-spec", `Guest "${this.name}" has no balloon device; launch it with balloon on.`);
    if (!["running", "paused", "booting"].includes(this.state))
      throw new HyperlabError(
        "invalid-state",
        `Cannot change the balloon of guest "${this.name}" while it is ${this.state}.`,
      );
    const most = this.spec.memoryMiB - MIN_GUEST_MIB;
    if (!Number.isInteger(mib) || mib < 0 || mib > most)
      throw new HyperlabError(
        "invalid-spec",
        `The balloon of guest "${this.name}" can take 0 to ${most} MiB, not ${String(mib)}.`,
        { field: "balloon" },
      );
    // Deflating gives memory back to the guest: reserve it first (may be refused).
    if (mib < this.reclaimedMiB) {
      this.host.reserve(this, this.spec.memoryMiB - mib);
      this.reclaimedMiB = mib;
    }
    let report = (await this.request({ type: "balloon", mib })) as BalloonReport;
    const deadline = Date.now() + (options.timeoutMs ?? 15_000);
    while (report.actualMiB !== report.targetMiB && Date.now() < deadline) {
      await delay(100);
      report = (await this.request({ type: "balloon", mib })) as BalloonReport;
    }
    if (report.actualMiB > this.reclaimedMiB) {
      this.reclaimedMiB = report.actualMiB;
      this.host.reserve(this, this.spec.memoryMiB - report.actualMiB);
    }
    return report;
  }

  get name(): string {
    return this.spec.name;
  }

  get state(): GuestState {
    return this.currentState;
  }

  /** Whether a worker runs a machine for this guest now. */
  get hasMachine(): boolean {
    return this.channel !== undefined;
  }

  get holdsMemory(): boolean {
    return HOLDS_MEMORY.includes(this.currentState);
  }

  /** The console the guest's shell is expected on first. */
  get primaryConsole(): ConsoleKind {
    return this.spec.console === "virtio" ? "virtio" : "serial";
  }

  /** Consoles this guest has (the UART is always there; virtio when the spec asks for it). */
  get consoleKinds(): ConsoleKind[] {
    return this.spec.console === "serial" ? ["serial"] : ["serial", "virtio"];
  }

  isReady(console: ConsoleKind = this.primaryConsole): boolean {
    return this.readyConsoles.has(console);
  }

  private setState(state: GuestState, reason?: string): void {
    const previous = this.currentState;
    if (previous === state) return;
    this.currentState = state;
    this.emit("guest:state", { guest: this, state, previous, reason });
  }

  private request(request: HostRequest): Promise<unknown> {
    const channel = this.channel;
    if (!channel)
      return Promise.reject(new HyperlabError("invalid-state", `Guest "${this.name}" has no running machine.`));
    return this.requestOn(channel, request);
  }

  private requestOn(channel: GuestChannel, request: HostRequest, transfer?: ArrayBuffer[]): Promise<unknown> {
    const id = this.nextRequest++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { channel, resolve, reject });
      channel.send({ ...request, id }, transfer);
    });
  }

  private onMessage(generation: number, message: WorkerMessage): void {
    // Replies match their request by id, whichever machine (old, or a migration's next) sent them.
    if (generation !== this.generation && message.type !== "reply") return;
    if (message.type === "output") {
      const text = this.consoles[message.console].append(message.bytes);
      if (this.housekeeping !== message.console)
        this.emit("guest:output", { guest: this, console: message.console, bytes: message.bytes, text });
      return;
    }
    if (message.type === "sample") {
      this.onSample(message.sample);
      return;
    }
    if (message.type === "probes") {
      this.onProbes(message.sample);
      return;
    }
    if (message.type === "frame") {
      this.emit("guest:frame", { guest: this, bytes: message.bytes });
      return;
    }
    if (message.type === "reply") {
      const waiter = this.pending.get(message.id);
      if (!waiter) return;
      this.pending.delete(message.id);
      if (message.ok) waiter.resolve(message.value);
      else waiter.reject(HyperlabError.from(message.error));
    }
  }

  /** The end of this machine's run: reject what waits on it and return its memory. */
  private endRun(error: HyperlabError): void {
    this.generation++;
    this.reclaimedMiB = 0;
    this.demand = 0;
    this.channel = undefined;
    this.readyConsoles.clear();
    for (const waiter of this.pending.values()) waiter.reject(error);
    this.pending.clear();
    for (const log of Object.values(this.consoles)) log.cancelAll(error);
  }

  private onFailure(generation: number, reason: string): void {
    if (generation !== this.generation) return;
    const lines = this.consoles[this.primaryConsole].lastLines(5);
    this.crashReason = reason;
    this.endRun(
      new HyperlabError("guest-crashed", `Guest "${this.name}" crashed: ${reason}`, {
        guest: this.name,
        reason,
        lastLines: lines,
      }),
    );
    this.setState("crashed", reason);
    this.host.release(this);
  }

  /** Powers the guest on: a new worker, a cold boot. Resolves once the emulator runs. */
  async start(options: { from?: Snapshot } = {}): Promise<void> {
    assertAllowed("start", this.state, this.name);
    // From a snapshot: every check before anything is reserved or started.
    const from = options.from && (await this.checkSnapshot(options.from));
    const wasmModule = await this.host.wasmModule();
    // Another start (or a terminate) may have come while we waited.
    assertAllowed("start", this.state, this.name);
    if (!this.holdsMemory) this.host.admit(this);
    this.crashReason = undefined;
    const generation = ++this.generation;
    this.startedAt = Date.now();
    this.setState("booting");
    let channel: GuestChannel;
    try {
      channel = this.placement.channel();
    } catch (error) {
      this.host.release(this);
      this.setState("crashed", describeError(error));
      throw new HyperlabError(
        "worker-failed",
        `Could not start a worker for guest "${this.name}": ${describeError(error)}`,
      );
    }
    this.channel = channel;
    channel.onMessage((message) => this.onMessage(generation, message));
    channel.onFailure((reason) => this.onFailure(generation, reason));
    channel.send({ type: "share", share: this.currentLimit, phase: this.currentPhase });
    if (!this.cableIn) channel.send({ type: "link", up: false });
    this.watchReady(generation);
    const config: MachineConfig = {
      spec: machineSpec(this.spec),
      files: bootFiles(this.files, from?.state),
      wasmUrl: this.host.wasmUrl,
      wasmModule,
      initialState: from?.state,
    };
    await this.request({ type: "boot", config });
    if (this.probesOn) await this.request({ type: "probes", enable: true });
    if (from) {
      // The snapshot's shells are ready once its machine runs (not before: input and the
      // console size would find no machine yet).
      if (generation === this.generation) this.markReady(from.header.guest.readyConsoles);
      if (this.isReady() && this.state === "booting") this.setState("running");
      // A guest stopped or terminated meanwhile has no name or MAC to adopt any more.
      await this.adoptIdentity(from.header).catch((error: unknown) => {
        if (generation === this.generation) throw error;
      });
    }
  }

  /** Marks each console ready when the image's ready marker appears on it. */
  private watchReady(generation: number): void {
    const marker = this.files.readyMarker;
    for (const console of this.consoleKinds) {
      if (this.readyConsoles.has(console)) continue;
      if (!marker) {
        this.readyConsoles.add(console);
        continue;
      }
      const log = this.consoles[console];
      log.waitFor(new RegExp(escapeRegExp(marker)), log.end).promise.then(
        () => {
          if (generation !== this.generation) return;
          this.markReady([console]);
          if (this.state === "booting") this.setState("running");
        },
        () => undefined,
      );
    }
    if (!marker)
      queueMicrotask(() => generation === this.generation && this.state === "booting" && this.setState("running"));
  }

  async pause(): Promise<void> {
    assertAllowed("pause", this.state, this.name);
    await this.request({ type: "pause" });
    this.setState("paused");
  }

  async resume(): Promise<void> {
    assertAllowed("resume", this.state, this.name);
    await this.request({ type: "resume" });
    this.setState(this.isReady() || !this.files.readyMarker ? "running" : "booting");
  }

  /** A hardware reset: the guest boots again in the same worker, with the same memory. */
  async reboot(): Promise<void> {
    assertAllowed("reboot", this.state, this.name);
    const wasPaused = this.state === "paused";
    this.setState("rebooting");
    this.readyConsoles.clear();
    for (const log of Object.values(this.consoles))
      log.cancelAll(new HyperlabError("invalid-state", `Guest "${this.name}" is rebooting.`));
    await this.request({ type: "reset", files: this.files });
    if (wasPaused) await this.request({ type: "resume" });
    this.startedAt = Date.now();
    this.setState("booting");
    this.watchReady(this.generation);
  }

  /** Powers the guest off: its worker ends and its memory returns to the host. */
  async stop(): Promise<void> {
    assertAllowed("stop", this.state, this.name);
    this.setState("stopping");
    await this.shutdownMachine();
    this.setState("stopped");
    this.host.release(this);
  }

  /** Stops the guest if it runs and removes it from the hypervisor for good. */
  async terminate(): Promise<void> {
    assertAllowed("terminate", this.state, this.name);
    if (this.channel) await this.shutdownMachine();
    this.host.release(this);
    this.setState("terminated");
    this.host.remove(this);
  }

  private async shutdownMachine(): Promise<void> {
    const channel = this.channel;
    if (!channel) return;
    const stopped = new HyperlabError("invalid-state", `Guest "${this.name}" was stopped.`);
    await Promise.race([this.request({ type: "shutdown" }).catch(() => undefined), delay(SHUTDOWN_GRACE_MS)]);
    this.endRun(stopped);
    await channel.terminate();
  }

  /**
   * Hands an Ethernet frame to the guest's NIC (a copy is transferred to its worker).
   * Returns false when no machine runs to take it.
   */
  sendFrame(frame: Uint8Array): boolean {
    if (!this.channel || this.spec.net === "none") return false;
    const bytes = frame.slice();
    this.channel.send({ type: "frame", bytes }, [bytes.buffer]);
    return true;
  }

  /** Types into a console, as if on its keyboard. */
  write(console: ConsoleKind, data: string | Uint8Array): void {
    assertAllowed("write", this.state, this.name);
    this.checkConsole(console);
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    if (this.moving) this.moving.input.push({ console, bytes });
    else this.channel?.send({ type: "input", console, bytes });
  }

  private checkConsole(console: ConsoleKind): void {
    if (!this.consoleKinds.includes(console))
      throw new HyperlabError(
        "invalid-spec",
        `Guest "${this.name}" has no ${console} console (its spec says console: ${this.spec.console}).`,
      );
  }

  /** Resolves when `pattern` appears on a console (from now on, or from `from`). */
  async waitFor(pattern: string | RegExp, options: WaitOptions & { from?: number } = {}): Promise<RegExpExecArray> {
    const console = options.console ?? this.primaryConsole;
    this.checkConsole(console);
    const log = this.consoles[console];
    const regexp = typeof pattern === "string" ? new RegExp(escapeRegExp(pattern)) : pattern;
    const wait = log.waitFor(regexp, options.from ?? log.end);
    const timeoutMs = options.timeoutMs ?? DEFAULT_BOOT_TIMEOUT_MS;
    const timer = setTimeout(() => {
      wait.cancel(
        new HyperlabError(
          "boot-timeout",
          `Guest "${this.name}" did not print ${String(pattern)} on its ${console} console within ${timeoutMs / 1000} s. Last lines: ${log.lastLines(5).join(" | ") || "(nothing)"}`,
          { lastLines: log.lastLines(10) },
        ),
      );
    }, timeoutMs);
    try {
      return await wait.promise;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Resolves when the guest's shell is ready on a console (its ready marker was printed). */
  async waitReady(options: WaitOptions = {}): Promise<void> {
    const console = options.console ?? this.primaryConsole;
    this.checkConsole(console);
    if (this.isReady(console)) return;
    if (!["booting", "rebooting", "running", "paused"].includes(this.state))
      throw new HyperlabError("invalid-state", `Guest "${this.name}" is ${this.state}; start it first.`);
    await new Promise<void>((resolve, reject) => {
      const timeoutMs = options.timeoutMs ?? DEFAULT_BOOT_TIMEOUT_MS;
      const cleanup = () => {
        clearTimeout(timer);
        ready.dispose();
        state.dispose();
      };
      const timer = setTimeout(() => {
        cleanup();
        const lines = this.consoles[console].lastLines(10);
        reject(
          new HyperlabError(
            "boot-timeout",
            `Guest "${this.name}" did not reach its shell on the ${console} console within ${timeoutMs / 1000} s. Last lines: ${lines.slice(-5).join(" | ") || "(nothing)"}`,
            { lastLines: lines },
          ),
        );
      }, timeoutMs);
      const ready = this.on("guest:ready", (event) => {
        if (event.console !== console) return;
        cleanup();
        resolve();
      });
      const state = this.on("guest:state", (event) => {
        if (!["crashed", "stopped", "stopping", "terminated"].includes(event.state)) return;
        cleanup();
        reject(
          event.state === "crashed"
            ? new HyperlabError("guest-crashed", `Guest "${this.name}" crashed while booting: ${event.reason}`, {
                lastLines: this.consoles[console].lastLines(10),
              })
            : new HyperlabError("invalid-state", `Guest "${this.name}" was ${event.state} while booting.`),
        );
      });
    });
  }

  /**
   * Runs a shell command in the guest and returns what it printed and its exit status.
   * Markers around the command tell its output apart from the echo of what was typed; the
   * quotes split the marker in the typed text so only the shell's output matches.
   */
  async exec(command: string, options: WaitOptions = {}): Promise<ExecResult> {
    assertAllowed("exec", this.state, this.name);
    const console = options.console ?? this.primaryConsole;
    this.checkConsole(console);
    const run = async (): Promise<ExecResult> => {
      const timeoutMs = options.timeoutMs ?? DEFAULT_EXEC_TIMEOUT_MS;
      const started = Date.now();
      await this.waitReady({ console, timeoutMs });
      const n = ++this.execSeq;
      const log = this.consoles[console];
      const from = log.end;
      const body = command.trim().replace(/;+$/, "");
      // A command sent to the background ends with "&", which already separates.
      const separator = body.endsWith("&") ? " " : "; ";
      const endWait = this.waitFor(new RegExp(`@@HL-E-${n}-(\\d+)@@`), {
        console,
        from,
        timeoutMs: Math.max(1, timeoutMs - (Date.now() - started)),
      }).catch((error: unknown) => {
        if (error instanceof HyperlabError && error.code === "boot-timeout")
          throw new HyperlabError(
            "exec-timeout",
            `"${command}" did not finish in guest "${this.name}" within ${timeoutMs / 1000} s.`,
            error.details,
          );
        throw error;
      });
      // The cursor report a terminal would have sent, else the shell sleeps 20 ms before it
      // runs the line (see ImageEntry.cursorQuery). A second report, after a terminal's own, is
      // dropped by the shell.
      const answer = this.files.cursorQuery ? CURSOR_REPORT : "";
      this.write(console, `${answer}echo '@@HL''-B-${n}@@'; ${body}${separator}echo "@@HL""-E-${n}-$?@@"\n`);
      const end = await endWait;
      const text = log.since(from).slice(0, end.index - from);
      const begin = /@@HL-B-\d+@@\r?\n/.exec(text);
      const output = (begin ? text.slice(begin.index + begin[0].length) : text).replace(/\r/g, "");
      return { output, exitCode: Number(end[1]) };
    };
    const result = this.execQueue[console].then(run, run);
    this.execQueue[console] = result.catch(() => undefined);
    return result;
  }

  /**
   * Saves the guest's whole machine (running, paused or booting) as a snapshot: see
   * snapshot/FORMAT.md. A running guest keeps running; v86 saves between two slices.
   */
  async snapshot(): Promise<Snapshot> {
    this.assertSettled("snapshot");
    const state = (await this.request({ type: "save" })) as ArrayBuffer;
    return encodeSnapshot(new Uint8Array(state), {
      spec: snapshotSpec(this.spec),
      image: { id: imageIdOf(this.spec), sha256: await imageSha256(this.files) },
      guest: {
        readyConsoles: this.consoleKinds.filter((c) => this.readyConsoles.has(c)),
        paused: this.state === "paused",
      },
    });
  }

  /**
   * Puts a snapshot's machine in place of this guest's. The snapshot is checked and a new
   * machine started from it first; only then does the old one end, so a refused or failed
   * restore leaves the guest running as it was.
   */
  async restore(snapshot: Snapshot): Promise<void> {
    this.assertSettled("restore");
    const from = await this.checkSnapshot(snapshot);
    const paused = this.state === "paused";
    this.moving = { what: "restoring", input: [] };
    let next: PreparedMachine;
    try {
      next = await this.prepareMachine(this.placement, { initialState: from.state, paused });
    } catch (error) {
      this.flushMoving();
      throw error;
    }
    for (const log of Object.values(this.consoles))
      log.cancelAll(new HyperlabError("invalid-state", `Guest "${this.name}" was restored from a snapshot.`));
    this.readyConsoles.clear();
    this.swapTo(next);
    this.markReady(from.header.guest.readyConsoles);
    this.watchReady(this.generation);
    this.flushMoving();
    this.setState(paused ? "paused" : this.isReady() || !this.files.readyMarker ? "running" : "booting");
    if (!paused) await this.adoptIdentity(from.header);
    this.emit("guest:restored", { guest: this, header: from.header });
  }

  /**
   * Live migration to another host: a machine is made ready on the target first; then the
   * guest is paused, its state copied, and the target resumes it. The console logs, the
   * network port and the metrics belong to this Guest and carry on. Any failure leaves the
   * guest running on its host as before.
   */
  async migrate(to: string): Promise<MigrationReport> {
    this.assertSettled("migrate");
    const target = this.host.findHost(to);
    const source = this.placement;
    if (target === source)
      throw new HyperlabError("invalid-state", `Guest "${this.name}" already runs on ${source.name}.`);
    this.host.admitOn(this, target);
    const started = performance.now();
    const wasPaused = this.state === "paused";
    let next: PreparedMachine | undefined;
    let pausedHere = false;
    let downtimeFrom: number;
    let bytes: number;
    try {
      next = await this.prepareMachine(target, { paused: true });
      // Probes that were on stay on: the new machine counts from where the old one stopped.
      if (this.probesOn) await this.requestOn(next.channel, { type: "probes", enable: true });
      this.moving = { what: "migrating", input: [] };
      downtimeFrom = performance.now();
      if (!wasPaused) {
        await this.request({ type: "pause" });
        pausedHere = true;
      }
      const state = (await this.request({ type: "save" })) as ArrayBuffer;
      bytes = state.byteLength;
      await this.requestOn(next.channel, { type: "restore", state }, [state]);
      if (!wasPaused) await this.requestOn(next.channel, { type: "resume" });
    } catch (error) {
      this.host.cancelMove(this);
      if (next) void next.channel.terminate();
      if (pausedHere) await this.request({ type: "resume" }).catch(() => undefined);
      this.flushMoving();
      throw new HyperlabError(
        "migration-failed",
        `Guest "${this.name}" could not move from ${source.name} to ${target.name} (${describeError(error)}); it stays on ${source.name} as it was.`,
        {
          guest: this.name,
          from: source.id,
          to: target.id,
          fromName: source.name,
          toName: target.name,
          cause: describeError(error),
        },
      );
    }
    const downtimeMs = performance.now() - downtimeFrom;
    this.swapTo(next);
    this.placement = target;
    this.host.moved(this, target);
    this.flushMoving();
    this.watchReady(this.generation);
    const report: MigrationReport = {
      from: source.name,
      to: target.name,
      downtimeMs,
      totalMs: performance.now() - started,
      bytes,
    };
    this.emit("guest:migrated", { guest: this, ...report });
    return report;
  }

  private assertSettled(action: string): void {
    if (this.moving)
      throw new HyperlabError(
        "invalid-state",
        `Cannot ${action} guest "${this.name}" while it is ${this.moving.what}.`,
      );
    if (!["running", "paused", "booting"].includes(this.state))
      throw new HyperlabError(
        "invalid-state",
        `Cannot ${action} guest "${this.name}" while it is ${this.state}; ${action} works when it is running, paused or booting.`,
        { action, state: this.state },
      );
  }

  /** Reads and checks a snapshot for this guest and unpacks its state, or throws with a sentence. */
  private async checkSnapshot(snapshot: Snapshot): Promise<{ header: SnapshotHeader; state: ArrayBuffer }> {
    const { header } = readSnapshot(snapshot?.bytes);
    assertCompatible(header, {
      name: this.name,
      spec: { ...this.spec, image: imageIdOf(this.spec) },
      imageSha256: await imageSha256(this.files),
    });
    const state = await snapshotState(snapshot);
    return { header, state: state.buffer as ArrayBuffer };
  }

  private markReady(consoles: readonly ConsoleKind[]): void {
    for (const console of consoles) {
      if (!this.consoleKinds.includes(console) || this.readyConsoles.has(console)) continue;
      this.readyConsoles.add(console);
      // hvc0's driver is up: tell it the window size (it starts at 80×25).
      if (console === "virtio") this.channel?.send({ type: "resize", ...this.virtioSize });
      this.emit("guest:ready", { guest: this, console });
    }
  }

  /**
   * A machine from another guest's snapshot still has that guest's name and MAC in its kernel:
   * give it this guest's own (the device already has the MAC, see machine/nic.ts).
   */
  private async adoptIdentity(header: SnapshotHeader): Promise<void> {
    const mac = this.spec.mac;
    const newMac = this.spec.net !== "none" && !!mac && header.spec.mac?.toLowerCase() !== mac.toLowerCase();
    const newName = header.spec.name !== this.name;
    if ((!newMac && !newName) || !this.isReady()) return;
    // An NE2000 takes a new address only while it is down: one ifconfig does down, address, up.
    const setMac =
      this.spec.net === "ne2k" ? `ifconfig eth0 down hw ether ${mac} up` : `ip link set dev eth0 address ${mac}`;
    // The name is a courtesy (the prompt shows it); the MAC must be taken or the guest is refused.
    const command = [newName ? `hostname ${this.name} 2>/dev/null` : "", newMac ? setMac : "true"]
      .filter(Boolean)
      .join("; ");
    // The user did not type this: keep it out of the console they see.
    const console = this.primaryConsole;
    const log = this.consoles[console];
    const from = log.end;
    this.housekeeping = console;
    let result: ExecResult;
    try {
      result = await this.exec(command, { console, timeoutMs: 15_000 });
    } finally {
      this.housekeeping = undefined;
      // Drop the command and its output; show what came after it (the shell's next prompt).
      const printed = log.since(from);
      const end = /@@HL-E-\d+-\d+@@\r?\n/.exec(printed);
      log.cut(from, from + (end ? end.index + end[0].length : printed.length));
      const after = log.since(from);
      if (after)
        this.emit("guest:output", { guest: this, console, bytes: new TextEncoder().encode(after), text: after });
    }
    if (result.exitCode !== 0)
      throw new HyperlabError(
        "snapshot-incompatible",
        `Guest "${this.name}" could not take its own MAC address ${mac}: ${result.output.trim()}`,
      );
  }

  /** Starts a worker on `host` with a machine in it; its messages wait until `swapTo`. */
  private async prepareMachine(
    host: Host,
    extra: Pick<MachineConfig, "initialState" | "paused">,
  ): Promise<PreparedMachine> {
    const wasmModule = await this.host.wasmModule();
    const channel = host.channel();
    const next: PreparedMachine = { channel, generation: -1, early: [] };
    channel.onMessage((message) => {
      if (next.generation >= 0) this.onMessage(next.generation, message);
      else if (message.type === "reply") this.onMessage(this.generation, message);
      else next.early.push(message);
    });
    channel.onFailure((reason) => {
      if (next.generation >= 0) this.onFailure(next.generation, reason);
      else this.rejectPending(channel, new HyperlabError("worker-failed", `its new machine failed: ${reason}`));
    });
    channel.send({ type: "share", share: this.currentLimit, phase: this.currentPhase });
    if (!this.cableIn) channel.send({ type: "link", up: false });
    const config: MachineConfig = {
      spec: machineSpec(this.spec),
      files: bootFiles(this.files, extra.initialState),
      wasmUrl: this.host.wasmUrl,
      wasmModule,
      ...extra,
    };
    try {
      await this.requestOn(channel, { type: "boot", config });
    } catch (error) {
      await channel.terminate();
      throw error;
    }
    return next;
  }

  /** Makes a prepared machine the guest's and ends the old one's worker. */
  private swapTo(next: PreparedMachine): void {
    const old = this.channel;
    next.generation = ++this.generation;
    this.channel = next.channel;
    if (old) {
      this.rejectPending(old, new HyperlabError("invalid-state", `Guest "${this.name}" moved to another machine.`));
      void old.terminate();
    }
    for (const message of next.early.splice(0)) this.onMessage(next.generation, message);
    if (this.isReady("virtio")) next.channel.send({ type: "resize", ...this.virtioSize });
  }

  private rejectPending(channel: GuestChannel, error: Error): void {
    for (const [id, waiter] of this.pending)
      if (waiter.channel === channel) {
        this.pending.delete(id);
        waiter.reject(error);
      }
  }

  private flushMoving(): void {
    const held = this.moving?.input ?? [];
    this.moving = undefined;
    for (const { console, bytes } of held) this.channel?.send({ type: "input", console, bytes });
  }

  private probesOn = false;
  private totals: ProbeTotals = emptyTotals();

  /** Whether the device probes are on (see `setProbes`). */
  get probesEnabled(): boolean {
    return this.probesOn;
  }

  /** What the probes counted since they were last switched on, summed over every sample. */
  get probeTotals(): ProbeTotals {
    return this.totals;
  }

  private onProbes(sample: ProbeSample): void {
    if (!this.probesOn) return;
    addSample(this.totals, sample);
    this.emit("guest:probes", { guest: this, sample, totals: this.totals });
  }

  /**
   * Switches the device probes on or off: port-I/O exits per device, virtio notifications and
   * ring indices, interrupts and bytes moved, as `guest:probes` events every sample interval.
   * Off (the default), the machine runs with no probe code in its I/O paths. Switching on
   * starts the totals from zero. They stay on across reboots and restarts.
   */
  async setProbes(on: boolean): Promise<void> {
    if (on === this.probesOn) return;
    this.probesOn = on;
    if (on) this.totals = emptyTotals();
    if (this.channel) await this.request({ type: "probes", enable: on });
  }

  /**
   * Takes a probe sample now (instead of waiting for the interval) and returns it; it is also
   * added to the totals and emitted as `guest:probes`. Measure a workload between two reads.
   */
  async readProbes(): Promise<ProbeSample> {
    if (!this.probesOn)
      throw new HyperlabError(
        "invalid-state",
        `The probes of guest "${this.name}" are off; call setProbes(true) first.`,
      );
    const sample = (await this.request({ type: "probes" })) as ProbeSample;
    this.onProbes(sample);
    return sample;
  }

  /** The machine's instruction counter and whether it runs. */
  async counters(): Promise<MachineCounters> {
    return (await this.request({ type: "counters" })) as MachineCounters;
  }
}

/** A machine started for a guest but not yet its own (see Guest.prepareMachine). */
interface PreparedMachine {
  channel: GuestChannel;
  /** -1 until it becomes the guest's machine. */
  generation: number;
  early: WorkerMessage[];
}

function imageIdOf(spec: ResolvedSpec): string {
  return typeof spec.image === "string" ? spec.image : spec.image.name;
}

function snapshotSpec(spec: ResolvedSpec): SnapshotHeader["spec"] {
  const { name, memoryMiB, console, net, balloon, weight, cap, cmdline, mac } = spec;
  return { name, image: imageIdOf(spec), memoryMiB, console, net, balloon, weight, cap, cmdline, mac };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
