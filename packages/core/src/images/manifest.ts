import { HyperlabError } from "../errors.js";

/** One file of an image, as listed in images/manifest.json (path relative to images/). */
export interface ManifestFile {
  path: string;
  size: number;
  sha256: string;
}

export type ImageKind = "bzimage" | "iso" | "disk";

/** One entry of the image catalog (images/manifest.json). */
export interface ImageEntry {
  id: string;
  title: string;
  description?: string;
  kind: ImageKind;
  files: {
    bzimage?: ManifestFile;
    initrd?: ManifestFile;
    cdrom?: ManifestFile;
    hda?: ManifestFile;
    bios: ManifestFile;
    vgaBios: ManifestFile;
  };
  minMemoryMiB: number;
  defaultMemoryMiB: number;
  cmdline?: string;
  /** A line the guest prints when its shell is ready for input. */
  readyMarker?: string;
  prompt?: string;
  /**
   * The image's shell asks the terminal where the cursor is after each prompt (ESC [6n, as
   * BusyBox ash does) and, when no answer came, waits 20 ms after the next command line
   * before running it. Guest.exec then answers for the terminal the console may not have.
   */
  cursorQuery?: boolean;
  drivers: string[];
  /**
   * Snapshots taken just after boot, one per memory size and device set they fit (instant
   * launch; made by images/make-snapshot.mjs, format in core's snapshot/FORMAT.md).
   */
  readySnapshots?: ReadySnapshotFile[];
  sources?: Record<string, string>;
}

export interface Manifest {
  version: 1;
  images: ImageEntry[];
}

const SHA256 = /^[0-9a-f]{64}$/;

/** Checks the shape of a parsed manifest; throws `invalid-spec` naming the first bad field. */
export function parseManifest(value: unknown): Manifest {
  const fail = (why: string): never => {
    throw new HyperlabError("invalid-spec", `The image manifest is not valid: ${why}.`);
  };
  if (!value || typeof value !== "object") fail("it is not a JSON object");
  const m = value as Partial<Manifest>;
  if (m.version !== 1) fail(`unsupported version ${String(m.version)}`);
  if (!Array.isArray(m.images)) fail("`images` is not a list");
  const ids = new Set<string>();
  for (const image of m.images!) {
    if (!image || typeof image.id !== "string" || !/^[a-z0-9][a-z0-9-]*$/.test(image.id))
      fail(`an image has a bad id ${JSON.stringify(image?.id)}`);
    if (ids.has(image.id)) fail(`image id "${image.id}" appears twice`);
    ids.add(image.id);
    if (!["bzimage", "iso", "disk"].includes(image.kind)) fail(`image "${image.id}" has an unknown kind`);
    if (!image.files?.bios || !image.files?.vgaBios) fail(`image "${image.id}" names no BIOS`);
    const bootFile = { bzimage: image.files.bzimage, iso: image.files.cdrom, disk: image.files.hda }[image.kind];
    if (!bootFile) fail(`image "${image.id}" of kind ${image.kind} names no boot file`);
    for (const [role, file] of Object.entries(image.files)) {
      if (!file) continue;
      if (typeof file.path !== "string" || file.path.includes(".."))
        fail(`file ${role} of "${image.id}" has a bad path`);
      if (!Number.isInteger(file.size) || file.size <= 0) fail(`file ${role} of "${image.id}" has a bad size`);
      if (!SHA256.test(file.sha256)) fail(`file ${role} of "${image.id}" has a bad sha256`);
    }
    if (image.cursorQuery !== undefined && typeof image.cursorQuery !== "boolean")
      fail(`image "${image.id}" has a cursorQuery that is not true or false`);
    if (!Number.isInteger(image.minMemoryMiB) || image.minMemoryMiB < 16)
      fail(`image "${image.id}" has a bad minimum memory`);
    if (!Number.isInteger(image.defaultMemoryMiB) || image.defaultMemoryMiB < image.minMemoryMiB)
      fail(`image "${image.id}" has a default memory below its minimum`);
  }
  return m as Manifest;
}

/** A ready snapshot of an image and the guest shape it fits. */
export interface ReadySnapshotFile extends ManifestFile {
  memoryMiB: number;
  console: "serial" | "virtio" | "both";
  net: "none" | "ne2k" | "virtio";
  balloon: boolean;
}
