import type { Reservation } from "../admission/ledger.js";
import type { Host } from "../hosts/host.js";
import type { SharedWasm } from "../wasm.js";
import type { MachineConfig } from "../worker/protocol.js";
import type { BootFiles } from "../images/catalog.js";
import type { ConsoleKind, ResolvedSpec } from "../spec.js";
import type { ReadyRule } from "./readiness.js";
import type { WorkerLink } from "./link.js";
import type { GuestProbes } from "./probes.js";
import type { Shell } from "./shell.js";
import type { GuestState } from "./state.js";

/** What the modules that act on a guest read of it (the Guest has these). */
export interface GuestFacts {
  readonly name: string;
  readonly spec: ResolvedSpec;
  readonly files: BootFiles;
  readonly state: GuestState;
  readonly placement: Host;
  readonly primaryConsole: ConsoleKind;
  readonly readiness: ReadyRule;
}

/**
 * A guest's working parts, for the modules that act on a guest's machine as a whole (snapshot
 * and restore, migration, the balloon). The Guest owns them; nothing else keeps them.
 */
export interface GuestParts {
  readonly guest: GuestFacts;
  readonly link: WorkerLink;
  readonly shell: Shell;
  readonly memory: Reservation;
  readonly probes: GuestProbes;
  setState(state: GuestState, reason?: string): void;
  /** The shell is gone (a restore, a reboot): nothing is ready and whatever waited on it fails. */
  resetShell(why: string): void;
  /** Marks consoles ready as the image's marker appears; returns whether the run that asked is still current. */
  watchReady(): () => boolean;
  /** The configuration of a new machine for this guest: the one place it is built. */
  machineConfig(extra?: Pick<MachineConfig, "initialState" | "paused">): Promise<MachineConfig>;
}

/** What a guest is given by the hypervisor that made it. */
export interface GuestSetting {
  /** Its memory on the hypervisor's ledger; where it is held is where the guest runs. */
  memory: Reservation;
  /** The hosts it may migrate to. */
  hosts: readonly Host[];
  wasm: SharedWasm;
}
