/**
 * Host storage for the storage device pair: an IDE disk (emulated ATA, /dev/sda in the guest)
 * and a virtio-9p share (tag host9p; the image's /init mounts it at /mnt/host). Both hold the
 * same host-made test data, so a guest can read the same bytes through either path.
 */
import type { V86, V86Options } from "./v86-internals.js";
import type { BootFiles } from "../images/catalog.js";
import type { ResolvedSpec } from "../spec.js";
import { TEST_DATA_FILE, testData } from "../test-data.js";

const wantsIde = (spec: Pick<ResolvedSpec, "storage">) => spec.storage === "ide" || spec.storage === "both";
const wants9p = (spec: Pick<ResolvedSpec, "storage">) => spec.storage === "9p" || spec.storage === "both";

/** Adds the disk and/or the share to v86's options. A disk image the user brought stays the disk. */
export function addStorage(options: V86Options, spec: Pick<ResolvedSpec, "storage">, files: BootFiles): void {
  if (wantsIde(spec) && !files.hda) options.hda = { buffer: testData().buffer as ArrayBuffer };
  if (wants9p(spec)) (options as { filesystem?: object }).filesystem = {};
}

/** Puts the test file into the 9p share (after the emulator is ready, before the guest mounts it). */
export async function fillShare(emulator: V86, spec: Pick<ResolvedSpec, "storage">): Promise<void> {
  if (wants9p(spec)) await emulator.create_file(TEST_DATA_FILE, testData());
}
