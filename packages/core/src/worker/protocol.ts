/**
 * The one message protocol between the hypervisor (host side) and a guest's worker.
 * Everything here is structured-clone data: it crosses browser Workers and Node worker_threads alike.
 */
import type { ProbeSample } from "../probes/metrics.js";
import type { SerializedError } from "../errors.js";
import type { BootFiles } from "../images/catalog.js";
import type { WasmModule } from "../wasm.js";
import type { ConsoleKind, ResolvedSpec } from "../spec.js";

/** The parts of a spec the machine needs, plus its files (no user bytes left in the spec). */
export interface MachineConfig {
  spec: Omit<ResolvedSpec, "image"> & { image: string };
  files: BootFiles;
  /** Where the worker finds v86.wasm (a URL in browsers, a file path in Node); defaults per platform. */
  wasmUrl?: string;
  /**
   * v86.wasm compiled once by the host and shared by every worker: V8 shares a module's
   * compiled (and optimised) code between the threads it is sent to, so each guest does not
   * compile and tier up the emulator again (~0.5 s of CPU per boot).
   */
  wasmModule?: WasmModule;
  /** A saved machine state (v86 `save_state`) to start from instead of a cold boot. */
  initialState?: ArrayBuffer;
  /** Build the machine but do not run it until `resume` (a migration target waits so). */
  paused?: boolean;
}

export interface MachineCounters {
  /** v86's instruction counter: a u32 that wraps. */
  instructions: number;
  /** Wall time of the worker clock when the counter was read (ms). */
  at: number;
  running: boolean;
  /** Whether v86's JIT is on (it is off while a guest boots, see machine/boot-jit.ts). */
  jit: boolean;
}

/**
 * Host → worker requests, each kind with the type of its reply. A request carries an id and
 * gets exactly one `reply`; `RequestOf` and `ReplyOf` keep each kind's pair together end to end.
 */
export interface Requests {
  boot: { request: { config: MachineConfig }; reply: void };
  pause: { request: object; reply: void };
  resume: { request: object; reply: void };
  /** A cold reset; `files`: the boot files, for a machine that started from a state without them. */
  reset: { request: { files?: BootFiles }; reply: void };
  counters: { request: object; reply: MachineCounters };
  balloon: { request: { mib: number }; reply: BalloonReport };
  /** The machine's state (v86 `save_state`). */
  save: { request: object; reply: ArrayBuffer };
  /** Loads a saved state into a machine that has not run yet (booted `paused`). */
  restore: { request: { state: ArrayBuffer }; reply: void };
  /** Switches the device probes on or off (omit `enable` to keep them); replies with the sample since the last one. */
  probes: { request: { enable?: boolean }; reply: ProbeSample };
  shutdown: { request: object; reply: void };
}

export type RequestKind = keyof Requests;
export type RequestOf<K extends RequestKind> = { type: K } & Requests[K]["request"];
export type ReplyOf<K extends RequestKind> = Requests[K]["reply"];
export type HostRequest = { [K in RequestKind]: RequestOf<K> }[RequestKind];

export type HostMessage =
  | (HostRequest & { id: number })
  | { type: "input"; console: ConsoleKind; bytes: Uint8Array }
  /** The scheduler's share for this guest, as a fraction of one host core (1 = no limit). */
  | { type: "share"; share: number; phase: number }
  /** The virtio console's window size (a UART has none). */
  | { type: "resize"; cols: number; rows: number }
  /** Whether the guest's cable is plugged into the switch (a virtio-net NIC tells its driver). */
  | { type: "link"; up: boolean }
  /** An Ethernet frame from the virtual switch for the guest's NIC (net0); the buffer is transferred. */
  | { type: "frame"; bytes: Uint8Array }
  /**
   * Fault injection (tests, demos of isolation): the worker dies as it does when v86 throws,
   * on the next request of this kind, before answering it.
   */
  | { type: "fault"; on: RequestKind };

/** What a guest's worker reports every SAMPLE_INTERVAL_MS. */
export interface MachineSample {
  at: number;
  intervalMs: number;
  instructions: number;
  busyMs: number;
  throttledMs: number;
  running: boolean;
  /** Whether v86's JIT is on (off while the guest boots, see machine/boot-jit.ts). */
  jit: boolean;
}

export interface BalloonReport {
  /** Memory the host asked the guest to give back. */
  targetMiB: number;
  /** Memory the guest's driver has given back so far. */
  actualMiB: number;
}

export const SAMPLE_INTERVAL_MS = 500;

/** Worker → host. */
export type WorkerMessage =
  | { type: "reply"; id: number; ok: true; value?: ReplyOf<RequestKind> }
  | { type: "reply"; id: number; ok: false; error: SerializedError }
  | { type: "output"; console: ConsoleKind; bytes: Uint8Array }
  | { type: "sample"; sample: MachineSample }
  /** Device probes over the last interval (only while probes are on). */
  | { type: "probes"; sample: ProbeSample }
  /** An Ethernet frame the guest's NIC (net0) sent, for the virtual switch; the buffer is transferred. */
  | { type: "frame"; bytes: Uint8Array }
  | { type: "fatal"; reason: string };
