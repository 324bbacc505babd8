import { setBalloon } from "../admission/balloon.js";
import { HyperlabError, describeError } from "../errors.js";
import { Emitter } from "../events.js";
import { findHost, type Host, type MigrationReport } from "../hosts/host.js";
import { migrateGuest } from "../hosts/migration.js";
import type { BootFiles } from "../images/catalog.js";
import type { ProbeSample, ProbeTotals } from "../probes/metrics.js";
import { cpuFigures } from "../scheduler/scheduler.js";
import type { Snapshot } from "../snapshot/format.js";
import { checkSnapshot, restoreGuest, startedFrom, takeSnapshot } from "../snapshot/guest-snapshot.js";
import { validateQuota, type ConsoleKind, type ResolvedSpec } from "../spec.js";
import type { BalloonReport, MachineCounters, MachineSample } from "../worker/protocol.js";
import { machineConfig } from "./machine-config.js";
import type { GuestEvents, GuestMetrics } from "./events.js";
import { WorkerLink, type MachineEvent } from "./link.js";
import type { GuestParts, GuestSetting } from "./parts.js";
import { GuestProbes } from "./probes.js";
import { readyRule, type ReadyRule } from "./readiness.js";
import { Shell, type ExecResult, type WaitOptions } from "./shell.js";
import { assertAllowed, type GuestState } from "./state.js";

export type { ExecResult, WaitOptions } from "./shell.js";
export type * from "./events.js";
export type { GuestSetting } from "./parts.js";

/**
 * One guest, seen from the host: its lifecycle state and its events. Every action checks the
 * state first (guest/state.ts) and throws `invalid-state` with a sentence if it does not fit;
 * the work is done by its parts: the worker link, the shell, the probes, and the modules for
 * snapshots, migration and the balloon.
 */
export class Guest extends Emitter<GuestEvents> {
  private currentState: GuestState = "created";
  private readonly link: WorkerLink;
  private readonly shell: Shell;
  private readonly probes: GuestProbes;
  private readonly parts: GuestParts;
  private quota: { weight: number; cap: number };
  private sched = { share: 1, phase: 0, limit: 1 };
  /** How the guest's shell is known to read input (guest/readiness.ts). */
  readonly readiness: ReadyRule;
  crashReason?: string;
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
    private readonly setting: GuestSetting,
  ) {
    super();
    this.quota = { weight: spec.weight, cap: spec.cap };
    this.link = new WorkerLink(spec.name, {
      event: (message) => this.onEvent(message),
      failure: (reason) => this.onFailure(reason),
    });
    this.readiness = readyRule(files);
    this.shell = new Shell(
      this,
      { ready: this.readiness, cursorQuery: files.cursorQuery },
      {
        ready: (console) => this.onShellReady(console),
        size: (cols, rows) => this.link.tell({ type: "resize", cols, rows }),
        show: (console, text) =>
          this.emit("guest:output", { guest: this, console, bytes: new TextEncoder().encode(text), text }),
      },
    );
    this.probes = new GuestProbes(spec.name, this.link, (sample, totals) =>
      this.emit("guest:probes", { guest: this, sample, totals }),
    );
    this.parts = {
      guest: this,
      link: this.link,
      shell: this.shell,
      memory: setting.memory,
      probes: this.probes,
      setState: (state, reason) => this.setState(state, reason),
      resetShell: (why) => this.resetShell(why),
      watchReady: () => this.watchReady(),
      machineConfig: async (extra) => machineConfig(this, await setting.wasm.module(), setting.wasm.url, extra),
    };
  }

  get name(): string {
    return this.spec.name;
  }

  get state(): GuestState {
    return this.currentState;
  }

  /** The host whose workers run this guest (it changes when the guest migrates). */
  get placement(): Host {
    return this.setting.memory.host;
  }

  /** Whether a worker runs a machine for this guest now. */
  get hasMachine(): boolean {
    return this.link.connected;
  }

  /** Memory the host holds for this guest now: its RAM less what its balloon gave back. */
  get reservedMiB(): number {
    return this.setting.memory.mib;
  }

  get consoles(): Shell["consoles"] {
    return this.shell.consoles;
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
    return this.shell.isReady(console);
  }

  get weight(): number {
    return this.quota.weight;
  }

  get cap(): number {
    return this.quota.cap;
  }

  /** The scheduler's current share for this guest (fraction of one host core). */
  get share(): number {
    return this.sched.share;
  }

  /** What the guest's worker enforces: its share, or 1 when the host's OS shares fairly anyway. */
  get limit(): number {
    return this.sched.limit;
  }

  /** Where in each scheduling period the guest runs (see scheduler.ts `phases`). */
  get phase(): number {
    return this.sched.phase;
  }

  /** Changes weight and/or cap; the scheduler applies it at once. */
  setQuota(quota: { weight?: number; cap?: number }): void {
    assertAllowed("quota", this.state, this.name);
    this.quota = validateQuota({ weight: quota.weight ?? this.quota.weight, cap: quota.cap ?? this.quota.cap });
    this.emit("guest:quota", { guest: this, ...this.quota });
  }

  /** Set by the hypervisor's scheduler; the guest's worker enforces it. */
  applyShare(share: number, phase = this.sched.phase, limit = share): void {
    this.sched = { share, phase, limit };
    this.link.tell({ type: "share", share: limit, phase });
  }

  /** Plugs or unplugs the NIC's cable (the network calls this; see machine/nic.ts). */
  setCable(up: boolean): void {
    this.link.tell({ type: "link", up });
  }

  /** Sets the virtio console's window size (hvc0); the serial console has none to set. */
  resize(cols: number, rows: number): void {
    this.shell.resize(cols, rows);
  }

  private setState(state: GuestState, reason?: string): void {
    const previous = this.currentState;
    if (previous === state) return;
    this.currentState = state;
    this.emit("guest:state", { guest: this, state, previous, reason });
  }

  private onShellReady(console: ConsoleKind): void {
    this.emit("guest:ready", { guest: this, console });
    if (this.state === "booting") this.setState("running");
  }

  private resetShell(why: string): void {
    this.link.forget("resize");
    this.shell.reset(new HyperlabError("invalid-state", why));
  }

  private onEvent(message: MachineEvent): void {
    switch (message.type) {
      case "output": {
        const { text, shown } = this.shell.append(message.console, message.bytes);
        if (shown) this.emit("guest:output", { guest: this, console: message.console, bytes: message.bytes, text });
        return;
      }
      case "sample":
        return this.onSample(message.sample);
      case "probes":
        return this.probes.add(message.sample);
      case "frame":
        return this.emit("guest:frame", { guest: this, bytes: message.bytes });
    }
  }

  private onSample(sample: MachineSample): void {
    const { demand, ...cpu } = cpuFigures(sample, this.sched.share);
    this.demand = demand;
    this.metrics = { guest: this, ...cpu, share: this.sched.share, ...this.quota, jit: sample.jit };
    this.emit("guest:metrics", this.metrics);
  }

  /** The end of this machine's run: whatever waits on it fails, and its memory returns. */
  private endRun(error: HyperlabError): void {
    this.demand = 0;
    this.link.end(error);
    this.link.forget("resize");
    this.shell.reset(error);
    this.setting.memory.release();
  }

  private onFailure(reason: string): void {
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
  }

  /** Powers the guest on: a new worker, a cold boot (or a snapshot's machine). Resolves once it runs. */
  async start(options: { from?: Snapshot } = {}): Promise<void> {
    assertAllowed("start", this.state, this.name);
    // From a snapshot: every check before anything is reserved or started.
    const from = options.from && (await checkSnapshot(this, options.from));
    const config = await this.parts.machineConfig({ initialState: from?.state });
    // Another start (or a terminate) may have come while we waited.
    assertAllowed("start", this.state, this.name);
    if (!this.setting.memory.held) this.setting.memory.hold();
    this.crashReason = undefined;
    this.startedAt = Date.now();
    let next;
    try {
      next = this.link.open(this.placement);
    } catch (error) {
      this.setting.memory.release();
      this.setState("crashed", describeError(error));
      throw error;
    }
    this.link.adopt(next);
    const stillCurrent = this.watchReady();
    this.setState("booting");
    await this.link.request({ type: "boot", config });
    if (this.probes.enabled) await this.link.request({ type: "probes", enable: true });
    if (this.readiness.kind === "none") {
      if (stillCurrent() && this.state === "booting") this.setState("running");
    } else if (from) await startedFrom(this.parts, from.header, stillCurrent);
  }

  /** Marks consoles ready as the image's marker appears, while this run is the guest's. */
  private watchReady(): () => boolean {
    const run = this.link.run;
    const current = () => run === this.link.run;
    this.shell.watchReady(current);
    return current;
  }

  async pause(): Promise<void> {
    assertAllowed("pause", this.state, this.name);
    await this.link.request({ type: "pause" });
    this.setState("paused");
  }

  async resume(): Promise<void> {
    assertAllowed("resume", this.state, this.name);
    await this.link.request({ type: "resume" });
    this.setState(this.isReady() || this.readiness.kind === "none" ? "running" : "booting");
  }

  /** A hardware reset: the guest boots again in the same worker, with the same memory. */
  async reboot(): Promise<void> {
    assertAllowed("reboot", this.state, this.name);
    // The new machine has no balloon inflated yet: the guest holds all of its memory again.
    this.setting.memory.hold();
    const wasPaused = this.state === "paused";
    this.setState("rebooting");
    this.resetShell(`Guest "${this.name}" is rebooting.`);
    await this.link.request({ type: "reset", files: this.files });
    if (wasPaused) await this.link.request({ type: "resume" });
    this.startedAt = Date.now();
    this.setState("booting");
    this.watchReady();
    if (this.readiness.kind === "none") this.setState("running");
  }

  /** Powers the guest off: its worker ends and its memory returns to the host. */
  async stop(): Promise<void> {
    assertAllowed("stop", this.state, this.name);
    this.setState("stopping");
    await this.shutdownMachine();
    this.setState("stopped");
  }

  /** Stops the guest if it runs and removes it from the hypervisor for good. */
  async terminate(): Promise<void> {
    assertAllowed("terminate", this.state, this.name);
    await this.shutdownMachine();
    this.setting.memory.release();
    this.setState("terminated");
  }

  private async shutdownMachine(): Promise<void> {
    const stopped = new HyperlabError("invalid-state", `Guest "${this.name}" was stopped.`);
    await this.link.shutdown(stopped);
    this.endRun(stopped);
  }

  /** Hands a copy of an Ethernet frame to the guest's NIC; false when no machine runs to take it. */
  sendFrame(frame: Uint8Array): boolean {
    return this.spec.net !== "none" && this.link.sendFrame(frame.slice());
  }

  /** Types into a console, as if on its keyboard. */
  write(console: ConsoleKind, data: string | Uint8Array): void {
    assertAllowed("write", this.state, this.name);
    this.shell.checkConsole(console);
    this.link.write(console, typeof data === "string" ? new TextEncoder().encode(data) : data);
  }

  /** Resolves when `pattern` appears on a console (from now on, or from `from`). */
  waitFor(pattern: string | RegExp, options: WaitOptions & { from?: number } = {}): Promise<RegExpExecArray> {
    return this.shell.waitFor(pattern, options);
  }

  /** Resolves when the guest's shell is ready on a console (its ready marker was printed). */
  waitReady(options: WaitOptions = {}): Promise<void> {
    return this.shell.waitReady(options);
  }

  /** Runs a shell command in the guest and returns what it printed and its exit status. */
  exec(command: string, options: WaitOptions = {}): Promise<ExecResult> {
    return this.shell.exec(command, options);
  }

  /** Saves the guest's whole machine as a snapshot (snapshot/FORMAT.md); a running guest runs on. */
  snapshot(): Promise<Snapshot> {
    return takeSnapshot(this.parts);
  }

  /** Puts a snapshot's machine in place of this guest's; a refused or failed restore changes nothing. */
  async restore(snapshot: Snapshot): Promise<void> {
    const header = await restoreGuest(this.parts, snapshot);
    this.emit("guest:restored", { guest: this, header });
  }

  /** Live migration to another host (by id or name); any failure leaves the guest where it was. */
  async migrate(to: string): Promise<MigrationReport> {
    const report = await migrateGuest(this.parts, () => findHost(this.setting.hosts, to));
    this.emit("guest:migrated", { guest: this, ...report });
    return report;
  }

  /** Gives `mib` MiB back to the host through the virtio balloon (see admission/balloon.ts). */
  setBalloon(mib: number, options: { timeoutMs?: number } = {}): Promise<BalloonReport> {
    return setBalloon(this.parts, mib, options.timeoutMs);
  }

  /** Whether the device probes are on (see `setProbes`). */
  get probesEnabled(): boolean {
    return this.probes.enabled;
  }

  /** What the probes counted since they were last switched on, summed over every sample. */
  get probeTotals(): ProbeTotals {
    return this.probes.totals;
  }

  /** Switches the device probes on or off (see guest/probes.ts); on, they emit `guest:probes`. */
  setProbes(on: boolean): Promise<void> {
    return this.probes.set(on);
  }

  /** Takes a probe sample now, adds it to the totals and emits it as `guest:probes`. */
  readProbes(): Promise<ProbeSample> {
    return this.probes.read();
  }

  /** The machine's instruction counter and whether it runs. */
  counters(): Promise<MachineCounters> {
    return this.link.request({ type: "counters" });
  }
}
