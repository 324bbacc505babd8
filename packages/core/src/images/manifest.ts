import { HyperlabError, shownValue } from "../errors.js";

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
/**
 * A file under images/: names of letters, digits, ".", "_" and "-" separated by "/", none "." or
 * "..". No leading "/", no scheme or host (`new URL(path, base)` would leave the images folder).
 */
const PATH = /^(?!\.{1,2}(\/|$))[A-Za-z0-9._-]+(\/(?!\.{1,2}(\/|$))[A-Za-z0-9._-]+)*$/;

const isText = (value: unknown): value is string => typeof value === "string";

/** Checks the shape of a parsed manifest; throws `invalid-spec` naming the first bad field. */
export function parseManifest(value: unknown): Manifest {
  const fail = (why: string): never => {
    throw new HyperlabError("invalid-spec", `The image manifest is not valid: ${why}.`);
  };
  const checkFile = (file: unknown, what: string): void => {
    const f = file as Partial<ManifestFile> | null;
    if (!f || typeof f !== "object") fail(`${what} is not a file entry`);
    if (!isText(f!.path) || !PATH.test(f!.path)) fail(`${what} has a bad path`);
    if (!Number.isSafeInteger(f!.size) || f!.size! <= 0) fail(`${what} has a bad size`);
    if (!isText(f!.sha256) || !SHA256.test(f!.sha256)) fail(`${what} has a bad sha256`);
  };
  if (!value || typeof value !== "object") fail("it is not a JSON object");
  const m = value as Partial<Manifest>;
  if (m.version !== 1) fail(`unsupported version ${shownValue(m.version)}`);
  if (!Array.isArray(m.images)) fail("`images` is not a list");
  const ids = new Set<string>();
  for (const image of m.images!) {
    if (!image || typeof image.id !== "string" || !/^[a-z0-9][a-z0-9-]*$/.test(image.id))
      fail(`an image has a bad id ${JSON.stringify(image?.id)}`);
    if (ids.has(image.id)) fail(`image id "${image.id}" appears twice`);
    ids.add(image.id);
    const what = `image "${image.id}"`;
    if (!["bzimage", "iso", "disk"].includes(image.kind)) fail(`${what} has an unknown kind`);
    if (!image.files || typeof image.files !== "object") fail(`${what} lists no files`);
    if (!image.files.bios || !image.files.vgaBios) fail(`${what} names no BIOS`);
    const bootFile = { bzimage: image.files.bzimage, iso: image.files.cdrom, disk: image.files.hda }[image.kind];
    if (!bootFile) fail(`${what} of kind ${image.kind} names no boot file`);
    for (const [role, file] of Object.entries(image.files)) checkFile(file, `file ${role} of "${image.id}"`);
    // What the catalog, the CLI's table and the readiness rule read as they are.
    if (!isText(image.title)) fail(`${what} has no title`);
    for (const field of ["description", "cmdline", "readyMarker", "prompt"] as const)
      if (image[field] !== undefined && !isText(image[field])) fail(`${what} has a ${field} that is not text`);
    if (!Array.isArray(image.drivers) || !image.drivers.every(isText))
      fail(`${what} has drivers that are not a list of names`);
    if (
      image.sources !== undefined &&
      (!image.sources || typeof image.sources !== "object" || !Object.values(image.sources).every(isText))
    )
      fail(`${what} has sources that are not names of packages and their versions`);
    if (image.readySnapshots !== undefined) {
      if (!Array.isArray(image.readySnapshots)) fail(`${what} has readySnapshots that are not a list`);
      image.readySnapshots.forEach((file, i) => {
        const snapshot = `ready snapshot ${i + 1} of "${image.id}"`;
        checkFile(file, snapshot);
        if (!Number.isInteger(file.memoryMiB) || file.memoryMiB <= 0) fail(`${snapshot} has a bad memory size`);
        if (!["serial", "virtio", "both"].includes(file.console)) fail(`${snapshot} has an unknown console`);
        if (!["none", "ne2k", "virtio"].includes(file.net)) fail(`${snapshot} has an unknown network card`);
        if (typeof file.balloon !== "boolean") fail(`${snapshot} has a balloon that is not true or false`);
      });
    }
    if (image.cursorQuery !== undefined && typeof image.cursorQuery !== "boolean")
      fail(`${what} has a cursorQuery that is not true or false`);
    if (!Number.isInteger(image.minMemoryMiB) || image.minMemoryMiB < 16) fail(`${what} has a bad minimum memory`);
    if (!Number.isInteger(image.defaultMemoryMiB) || image.defaultMemoryMiB < image.minMemoryMiB)
      fail(`${what} has a default memory below its minimum`);
  }
  return m as Manifest;
}

/** A ready snapshot of an image and the guest shape it fits. */
export interface ReadySnapshotFile extends ManifestFile {
  memoryMiB: number;
  console: "serial" | "virtio" | "both";
  net: "none" | "ne2k" | "virtio";
  balloon: boolean;
  /** Ready snapshots are not byte-reproducible (they hold a running machine); the manifest says why. */
  reproducible?: boolean;
  notReproducibleBecause?: string;
}
