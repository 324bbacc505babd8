/**
 * The one message protocol between the hypervisor (host side) and a guest's worker.
 * Everything here is structured-clone data: it crosses browser Workers and Node worker_threads alike.
 */
import type { SerializedError } from "./errors.js";
import type { BootFiles } from "./images/catalog.js";
import type { ConsoleKind, ResolvedSpec } from "./spec.js";

/** The parts of a spec the machine needs, plus its files (no user bytes left in the spec). */
export interface MachineConfig {
  spec: Omit<ResolvedSpec, "image"> & { image: string };
  files: BootFiles;
  /** Where the worker finds v86.wasm (a URL in browsers, a file path in Node); defaults per platform. */
  wasmUrl?: string;
}

export interface MachineCounters {
  /** v86's instruction counter: a u32 that wraps. */
  instructions: number;
  /** Wall time of the worker clock when the counter was read (ms). */
  at: number;
  running: boolean;
}

/** Host → worker. Requests carry an id and get exactly one `reply`. */
export type HostRequest =
  | { type: "boot"; config: MachineConfig }
  | { type: "pause" }
  | { type: "resume" }
  | { type: "reset" }
  | { type: "counters" }
  | { type: "balloon"; mib: number }
  | { type: "shutdown" };

export type HostMessage =
  | (HostRequest & { id: number })
  | { type: "input"; console: ConsoleKind; bytes: Uint8Array }
  /** The scheduler's share for this guest, as a fraction of one host core (1 = no limit). */
  | { type: "share"; share: number }
  /** The virtio console's window size (a UART has none). */
  | { type: "resize"; cols: number; rows: number };

/** What a guest's worker reports every SAMPLE_INTERVAL_MS. */
export interface MachineSample {
  at: number;
  intervalMs: number;
  instructions: number;
  busyMs: number;
  throttledMs: number;
  fullSpeedPerMs: number;
  running: boolean;
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
  | { type: "reply"; id: number; ok: true; value?: unknown }
  | { type: "reply"; id: number; ok: false; error: SerializedError }
  | { type: "output"; console: ConsoleKind; bytes: Uint8Array }
  | { type: "sample"; sample: MachineSample }
  | { type: "fatal"; reason: string };
