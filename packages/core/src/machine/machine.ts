/**
 * The only code that creates an emulator. A Machine turns a MachineConfig into V86 options,
 * starts the emulator and turns its string events into typed callbacks; what it needs of
 * v86's internals comes through v86-internals.ts. It runs inside a guest's worker
 * (see worker/runtime.ts).
 */
import { HyperlabError } from "../errors.js";
import {
  SAMPLE_INTERVAL_MS,
  type BalloonReport,
  type MachineConfig,
  type MachineCounters,
  type MachineSample,
} from "../worker/protocol.js";
import { BootJit } from "./boot-jit.js";
import { CpuThrottle } from "./throttle.js";
import { wasm, type WasmModule } from "../wasm.js";
import { plugNic, receiveOnNic, setNicLink } from "./nic.js";
import { DeviceProbes } from "./probes/device-probe.js";
import { addStorage, fillShare } from "./storage.js";
import { V86, internals, type V86Options } from "./v86-internals.js";
import type { ProbeSample } from "../probes/metrics.js";
import type { ConsoleKind } from "../spec.js";

export interface MachineSink {
  output(console: ConsoleKind, bytes: Uint8Array): void;
  sample(sample: MachineSample): void;
  /** A frame the guest's NIC sent (a copy: the sink may transfer it). */
  frame?(bytes: Uint8Array): void;
  /** Device probes over the last interval, while they are on. */
  probes?(sample: ProbeSample): void;
}

const PAGES_PER_MIB = 256;

const MiB = 1024 * 1024;

/** v86 wants ArrayBuffers of exactly the file's bytes. */
function buffer(bytes: Uint8Array): { buffer: ArrayBuffer } {
  const copy =
    bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes.buffer : bytes.slice().buffer;
  return { buffer: copy as ArrayBuffer };
}

/** v86's `wasm_fn`: an instance of the shared, already compiled module. */
function instantiate(module: WasmModule) {
  return async (imports: object) => (await wasm.instantiate(module, imports)).exports;
}

export function machineOptions(config: MachineConfig): V86Options {
  const { spec, files } = config;
  const options: V86Options = {
    wasm_path: config.wasmUrl,
    wasm_fn: config.wasmModule && instantiate(config.wasmModule),
    memory_size: spec.memoryMiB * MiB,
    vga_memory_size: 8 * MiB,
    bios: buffer(files.bios),
    vga_bios: buffer(files.vgaBios),
    autostart: false,
    disable_keyboard: true,
    disable_mouse: true,
    disable_speaker: true,
    acpi: false,
    log_level: 0,
    // Without a relay URL the NIC has no backend; "none" leaves the guest without one.
    net_device: { type: spec.net === "none" ? ("none" as "ne2k") : spec.net },
    virtio_balloon: spec.balloon,
    // A restored NIC keeps the MAC its guest's driver knows (a clone's is set after, see nic.ts).
    preserve_mac_from_state_image: true,
  };
  if (config.initialState) options.initial_state = { buffer: config.initialState };
  if (spec.console !== "serial") (options as { virtio_console?: unknown }).virtio_console = true;
  // A machine restored from a state has its kernel in memory already: loading the bzImage
  // first (v86 copies it in, ~6 MB) would only be overwritten.
  if (files.bzimage && !config.initialState) {
    options.bzimage = buffer(files.bzimage);
    // The default image's init names the guest after `hyperlab.name` (its shell prompt shows it).
    options.cmdline = [files.cmdline, `hyperlab.name=${spec.name}`, spec.cmdline].filter(Boolean).join(" ");
    if (files.initrd) options.initrd = buffer(files.initrd);
  }
  if (files.cdrom) options.cdrom = buffer(files.cdrom);
  if (files.hda) options.hda = buffer(files.hda);
  addStorage(options, spec, files);
  return options;
}

export class Machine {
  private emulator?: V86;
  /** Output not yet sent: single bytes from the UART, whole buffers from virtio. */
  private readonly pending: Record<ConsoleKind, (number | Uint8Array)[]> = { serial: [], virtio: [] };
  private flushQueued = false;
  // Epoch time: every guest's worker reads the same clock, so their phases line up.
  private readonly throttle = new CpuThrottle(() => performance.timeOrigin + performance.now());
  private sampler?: ReturnType<typeof setInterval>;
  private probe?: DeviceProbes;
  /** Keeps v86's JIT off while the guest boots (see boot-jit.ts); none without a ready marker. */
  private bootJit?: BootJit;

  /** Whether v86's JIT is on: off only while a guest with a ready marker boots. */
  private get jit(): boolean {
    return this.bootJit?.jit ?? true;
  }

  constructor(
    private readonly config: MachineConfig,
    private readonly sink: MachineSink,
  ) {}

  /** Creates the emulator and starts it; resolves once v86 runs. */
  async boot(): Promise<void> {
    const emulator = new V86(machineOptions(this.config));
    this.emulator = emulator;
    // Output comes a byte at a time (UART) or a buffer at a time (virtio); batch it per
    // emulator slice so that a 64 KiB burst is a few messages, not 64 Ki of them.
    emulator.add_listener("serial0-output-byte", (byte: number) => this.queue("serial", byte));
    emulator.add_listener("virtio-console0-output-bytes", (bytes: Uint8Array) => this.queue("virtio", bytes.slice()));
    await new Promise<void>((resolve) => emulator.add_listener("emulator-ready", () => resolve()));
    plugNic(emulator, this.config.spec.mac, (frame) => this.sink.frame?.(frame));
    await fillShare(emulator, this.config.spec);
    const inner = internals(emulator);
    this.probe = new DeviceProbes(inner.v86.cpu, inner);
    const marker = this.config.files.readyMarker;
    if (marker) {
      const cpu = inner.v86.cpu;
      this.bootJit = new BootJit((on) => cpu.set_jit_config(0, on ? 0 : 1), marker);
      // A cold boot; not a state to restore, nor a migration target (it gets one next).
      if (!this.config.initialState && !this.config.paused) this.bootJit.booting();
    }
    this.installThrottle(emulator);
    if (!this.config.paused) await emulator.run();
  }

  /** Times every slice and lets the throttle delay the next one (see throttle.ts). */
  private installThrottle(emulator: V86): void {
    const inner = internals(emulator).v86;
    const cpu = inner.cpu;
    const mainLoop = cpu.main_loop;
    const throttle = this.throttle;
    cpu.main_loop = () => {
      const start = performance.now();
      const before = emulator.get_instruction_counter();
      const delay = mainLoop.call(cpu);
      const executed = (emulator.get_instruction_counter() - before) >>> 0;
      throttle.onSlice(performance.now() - start, executed);
      this.bootJit?.executedInstructions(executed);
      return delay;
    };
    const yieldTo = inner.yield.bind(inner);
    inner.yield = (delayMs, tick) => yieldTo(throttle.delayBeforeNextSlice(delayMs), tick);
    let last = performance.now();
    this.sampler = setInterval(() => {
      const now = performance.now();
      const sample = this.throttle.takeSample();
      this.sink.sample({
        ...sample,
        at: Date.now(),
        intervalMs: now - last,
        running: emulator.is_running(),
        jit: this.jit,
      });
      if (this.probe?.enabled) this.sink.probes?.(this.probe.sample());
      last = now;
    }, SAMPLE_INTERVAL_MS);
  }

  /**
   * Switches the device probes on or off (`undefined` keeps them as they are) and returns what
   * they counted since the last sample. Off, v86 runs without any probe code in its paths.
   */
  probes(enable?: boolean): ProbeSample {
    const probe = this.probe;
    if (!probe) throw new HyperlabError("invalid-state", "The machine has not booted.");
    const sample = probe.sample();
    if (enable === true) probe.enable();
    if (enable === false) probe.disable();
    return sample;
  }

  setShare(share: number, phase = 0): void {
    this.throttle.setShare(share, phase);
  }

  /** Asks the guest's balloon driver to give back `mib` MiB (0 deflates it completely). */
  balloon(mib: number): BalloonReport {
    const device = internals(this.v86).v86.cpu.devices.virtio_balloon;
    if (!device)
      throw new HyperlabError("invalid-spec", "This guest has no virtio-balloon device (launch it with balloon on).");
    const delta = mib * PAGES_PER_MIB - device.num_pages;
    if (delta > 0) device.Inflate(delta);
    else if (delta < 0) device.Deflate(-delta);
    return this.balloonReport();
  }

  balloonReport(): BalloonReport {
    const device = internals(this.v86).v86.cpu.devices.virtio_balloon;
    return { targetMiB: (device?.num_pages ?? 0) / PAGES_PER_MIB, actualMiB: (device?.actual ?? 0) / PAGES_PER_MIB };
  }

  private queue(console: ConsoleKind, output: number | Uint8Array): void {
    this.bootJit?.output(console, output);
    this.pending[console].push(output);
    if (!this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(() => this.flush());
    }
  }

  private flush(): void {
    this.flushQueued = false;
    for (const console of ["serial", "virtio"] as const) {
      const parts = this.pending[console];
      if (parts.length === 0) continue;
      this.pending[console] = [];
      const bytes = new Uint8Array(
        parts.reduce<number>((n, part) => n + (typeof part === "number" ? 1 : part.length), 0),
      );
      let at = 0;
      for (const part of parts) {
        if (typeof part === "number") bytes[at++] = part;
        else {
          bytes.set(part, at);
          at += part.length;
        }
      }
      this.probe?.moved(console === "serial" ? "uart" : "virtio-console", bytes.length);
      this.sink.output(console, bytes);
    }
  }

  private get v86(): V86 {
    if (!this.emulator) throw new Error("the machine has not booted");
    return this.emulator;
  }

  write(console: ConsoleKind, bytes: Uint8Array): void {
    if (!this.emulator) return; // being torn down: nobody is typing into it any more
    if (console === "serial") this.v86.serial_send_bytes(0, bytes);
    else internals(this.v86).bus.send("virtio-console0-input-bytes", bytes);
  }

  /** A frame from the virtual switch for the guest's NIC. */
  receiveFrame(frame: Uint8Array): void {
    if (this.emulator) receiveOnNic(this.emulator, frame);
  }

  /** Plugs or unplugs the NIC's cable (see nic.ts `setNicLink`). */
  setLink(up: boolean, options?: { force?: boolean }): void {
    setNicLink(this.v86, up, options);
  }

  /**
   * Tells hvc0 its window size. v86 puts the event's first number where Linux reads rows
   * (drivers/char/virtio_console.c), so rows go first.
   */
  resize(cols: number, rows: number): void {
    if (this.config.spec.console === "serial") return;
    internals(this.v86).bus.send("virtio-console0-resize", [rows, cols]);
  }

  async pause(): Promise<void> {
    await this.v86.stop();
  }

  async resume(): Promise<void> {
    await this.v86.run();
  }

  /** The whole machine as v86 saves it (RAM without its zero pages, devices, CPU). */
  async saveState(): Promise<ArrayBuffer> {
    return this.v86.save_state();
  }

  /** Loads a saved state; only into a machine that has not run (booted paused), the safe path. */
  async restoreState(state: ArrayBuffer): Promise<void> {
    if (this.v86.is_running()) throw new HyperlabError("invalid-state", "A running machine cannot load a state.");
    await this.v86.restore_state(state);
    this.bootJit?.done();
  }

  counters(): MachineCounters {
    return {
      instructions: this.emulator ? this.emulator.get_instruction_counter() >>> 0 : 0,
      at: performance.now(),
      running: this.emulator?.is_running() ?? false,
      jit: this.jit,
    };
  }

  async destroy(): Promise<void> {
    const emulator = this.emulator;
    this.emulator = undefined;
    clearInterval(this.sampler);
    if (emulator) await emulator.destroy();
  }
}
