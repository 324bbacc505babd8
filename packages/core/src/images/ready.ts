/**
 * Ready snapshots: machines saved just after an image booted (images/<id>/ready/), one per
 * memory size and device set, so that a guest can start from one instead of booting.
 */
import { checkSpecAgainstImage, validateSpec, type GuestSpec, type ResolvedSpec } from "../spec.js";
import { imageSha256, incompatibility, readSnapshot, snapshotState, type Snapshot } from "../snapshot/format.js";
import type { SharedWasm } from "../wasm.js";
import type { BootFiles, ImageCatalog } from "./catalog.js";
import type { ImageEntry, ReadySnapshotFile } from "./manifest.js";

type Devices = Pick<ResolvedSpec, "memoryMiB" | "console" | "net" | "balloon">;

/** The image's ready snapshot file for this memory size and these devices, if it has one. */
export function readySnapshotFile(entry: ImageEntry, spec: Devices): ReadySnapshotFile | undefined {
  return entry.readySnapshots?.find(
    (f) =>
      f.memoryMiB === spec.memoryMiB && f.console === spec.console && f.net === spec.net && f.balloon === spec.balloon,
  );
}

/** The image's ready snapshot that fits a guest's memory and devices, or why there is none. */
export async function findReadySnapshot(
  catalog: ImageCatalog,
  guest: { name: string; spec: ResolvedSpec; files: BootFiles },
): Promise<{ snapshot?: Snapshot; reason?: string }> {
  const { spec } = guest;
  if (typeof spec.image !== "string") return { reason: "An image the user brings has no ready snapshot." };
  const entry = await catalog.get(spec.image);
  const file = readySnapshotFile(entry, spec);
  if (!file)
    return {
      reason: `Image "${entry.id}" has no ready snapshot for ${spec.memoryMiB} MiB with console ${spec.console}, network ${spec.net}, balloon ${spec.balloon ? "on" : "off"}.`,
    };
  const snapshot = readSnapshot(await catalog.loadFile(file));
  const reason = incompatibility(snapshot.header, {
    name: guest.name,
    spec: { ...spec, image: spec.image },
    imageSha256: await imageSha256(guest.files),
  });
  return reason ? { reason } : { snapshot };
}

/**
 * Loads what a first launch of `spec` would wait for: the image's files (read and checked),
 * v86.wasm compiled, and the ready snapshot that fits, unpacked. Never throws: whatever fails
 * here fails again, with its error, when the guest is launched.
 */
export async function warmUpImage(catalog: ImageCatalog, spec: GuestSpec, wasm: SharedWasm): Promise<void> {
  try {
    const resolved = validateSpec(spec, spec?.name);
    if (typeof resolved.image !== "string") return;
    const entry = await catalog.get(resolved.image);
    const file = readySnapshotFile(entry, checkSpecAgainstImage(resolved, entry));
    await Promise.all([
      catalog.load(entry.id),
      wasm.module(),
      file && catalog.loadFile(file).then((bytes) => snapshotState(readSnapshot(bytes))),
    ]);
  } catch {
    // see above
  }
}
