import type { Reservation } from "../admission/ledger.js";
import type { Host } from "../hosts/host.js";
import type { SharedWasm } from "../wasm.js";
import type { MachineConfig } from "../worker/protocol.js";
import type { Guest } from "./guest.js";
import type { WorkerLink } from "./link.js";
import type { GuestProbes } from "./probes.js";
import type { Shell } from "./shell.js";
import type { GuestState } from "./state.js";

/**
 * A guest's working parts, for the modules that act on a guest's machine as a whole (snapshot
 * and restore, migration, the balloon). The Guest owns them; nothing else keeps them.
 */
export interface GuestParts {
  readonly guest: Guest;
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
