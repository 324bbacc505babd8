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
} from "../protocol.js";
import { estimateDemand } from "../scheduler/scheduler.js";
import type { ChannelFactory, GuestChannel } from "../runner/channel.js";
import type { ConsoleKind, ResolvedSpec } from "../spec.js";
import { ConsoleLog } from "./console.js";
import { HOLDS_MEMORY, assertAllowed, type GuestState } from "./state.js";

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
}

export interface GuestEvents {
  "guest:state": GuestStateEvent;
  "guest:output": GuestOutputEvent;
  "guest:ready": { guest: Guest; console: ConsoleKind };
  "guest:metrics": GuestMetrics;
  /** Weight or cap changed. */
  "guest:quota": { guest: Guest; weight: number; cap: number };
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
  /** Reserves the guest's memory or throws `memory-over-budget`. */
  admit(guest: Guest): void;
  /** Changes a live guest's reservation; growing it is checked against the budget. */
  reserve(guest: Guest, mib: number): void;
  release(guest: Guest): void;
  remove(guest: Guest): void;
}

const DEFAULT_BOOT_TIMEOUT_MS = 60_000;
const DEFAULT_EXEC_TIMEOUT_MS = 60_000;
const SHUTDOWN_GRACE_MS = 2_000;
/** What a balloon leaves a guest at the least. */
const MIN_GUEST_MIB = 16;

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
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
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
      });
    if (typeof cap !== "number" || !(cap >= 0 && cap <= 100))
      throw new HyperlabError(
        "invalid-spec",
        `Cap must be a percentage of one core from 0 (no cap) to 100, not ${String(cap)}.`,
        { field: "cap" },
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
  applyShare(share: number): void {
    this.currentShare = share;
    this.channel?.send({ type: "share", share });
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
    const id = this.nextRequest++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      channel.send({ ...request, id });
    });
  }

  private onMessage(generation: number, message: WorkerMessage): void {
    if (generation !== this.generation) return;
    if (message.type === "output") {
      const text = this.consoles[message.console].append(message.bytes);
      this.emit("guest:output", { guest: this, console: message.console, bytes: message.bytes, text });
      return;
    }
    if (message.type === "sample") {
      this.onSample(message.sample);
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
      new HyperlabError("guest-crashed", `Guest "${this.name}" crashed: ${reason}`, { reason, lastLines: lines }),
    );
    this.setState("crashed", reason);
    this.host.release(this);
  }

  /** Powers the guest on: a new worker, a cold boot. Resolves once the emulator runs. */
  async start(): Promise<void> {
    assertAllowed("start", this.state, this.name);
    if (!this.holdsMemory) this.host.admit(this);
    this.crashReason = undefined;
    const generation = ++this.generation;
    this.startedAt = Date.now();
    this.setState("booting");
    let channel: GuestChannel;
    try {
      channel = this.host.channel();
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
    channel.send({ type: "share", share: this.currentShare });
    this.watchReady(generation);
    const config: MachineConfig = { spec: machineSpec(this.spec), files: this.files, wasmUrl: this.host.wasmUrl };
    await this.request({ type: "boot", config });
  }

  /** Marks each console ready when the image's ready marker appears on it. */
  private watchReady(generation: number): void {
    const marker = this.files.readyMarker;
    for (const console of this.consoleKinds) {
      if (!marker) {
        this.readyConsoles.add(console);
        continue;
      }
      const log = this.consoles[console];
      log.waitFor(new RegExp(escapeRegExp(marker)), log.end).promise.then(
        () => {
          if (generation !== this.generation) return;
          this.readyConsoles.add(console);
          if (console === "virtio") this.channel?.send({ type: "resize", ...this.virtioSize });
          this.emit("guest:ready", { guest: this, console });
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
    await this.request({ type: "reset" });
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

  /** Types into a console, as if on its keyboard. */
  write(console: ConsoleKind, data: string | Uint8Array): void {
    assertAllowed("write", this.state, this.name);
    this.checkConsole(console);
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    this.channel?.send({ type: "input", console, bytes });
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
      this.write(console, `echo '@@HL''-B-${n}@@'; ${body}${separator}echo "@@HL""-E-${n}-$?@@"\n`);
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

  /** The machine's instruction counter and whether it runs. */
  async counters(): Promise<MachineCounters> {
    return (await this.request({ type: "counters" })) as MachineCounters;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
