import type { BootFiles } from "../images/catalog.js";
import { imageIdOf } from "../snapshot/guest-snapshot.js";
import type { ResolvedSpec } from "../spec.js";
import type { WasmModule } from "../wasm.js";
import type { MachineConfig } from "../worker/protocol.js";

/**
 * The configuration of a new machine for a guest (a cold boot, a restore, a migration target):
 * the one place it is built.
 */
export function machineConfig(
  guest: { spec: ResolvedSpec; files: BootFiles },
  wasmModule: WasmModule | undefined,
  wasmUrl: string | undefined,
  extra: Pick<MachineConfig, "initialState" | "paused"> = {},
): MachineConfig {
  const { spec, files } = guest;
  return {
    // The user's bytes travel as files, not in the spec.
    spec: { ...spec, image: imageIdOf(spec) },
    // A machine that starts from a saved state has its kernel in memory already: the bzImage
    // and initrd (~6 MB for the default image) are not copied to it (a reset sends them).
    files: extra.initialState ? { ...files, bzimage: undefined, initrd: undefined } : files,
    wasmUrl,
    wasmModule,
    ...extra,
  };
}
