import { HyperlabError } from "../errors.js";
import { checkReadyPattern, checkUserImage, padTo512 } from "./detect.js";
import { parseManifest, type ImageEntry, type ImageKind, type Manifest, type ManifestFile } from "./manifest.js";
import type { UserImage } from "../spec.js";

/** Where image files come from: the file system in Node, HTTP in a browser. */
export interface ImageSource {
  /** A short description for messages, e.g. the folder or base URL. */
  readonly where: string;
  readManifest(): Promise<unknown>;
  /**
   * Reads a file named by its path relative to the images folder; rejects if it is missing, and
   * with `image-corrupt` as soon as it holds more than `maxBytes` (the size the catalog lists).
   */
  read(path: string, onProgress?: (loaded: number, total: number) => void, maxBytes?: number): Promise<Uint8Array>;
}

/** The most a manifest may hold (today's is ~3 KB). */
export const MAX_MANIFEST_BYTES = 1024 * 1024;

/** The error a source gives for a file longer than the catalog says, before reading the rest. */
export function tooLong(path: string, maxBytes: number): HyperlabError {
  return new HyperlabError(
    "image-corrupt",
    `The image file ${path} is longer than the ${maxBytes} bytes the catalog says: it is damaged or from another build.`,
    { path, reason: "too-long", maxBytes },
  );
}

/** Everything a machine needs to boot, as bytes. */
export interface BootFiles {
  kind: ImageKind;
  bios: Uint8Array;
  vgaBios: Uint8Array;
  bzimage?: Uint8Array;
  initrd?: Uint8Array;
  cdrom?: Uint8Array;
  hda?: Uint8Array;
  cmdline: string;
  readyMarker?: string;
  /** The shell's prompt, printed after the ready marker (see ImageEntry). */
  prompt?: string;
  /** A user's pattern for when their image's shell reads input (see UserImage.readyPattern). */
  readyPattern?: string;
  /** The shell asks the terminal for the cursor position after each prompt (see ImageEntry). */
  cursorQuery?: boolean;
  minMemoryMiB: number;
  defaultMemoryMiB: number;
}

export interface LoadProgress {
  file: string;
  loaded: number;
  total: number;
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Minimum memory for images the user brings: below ~16 MiB the kernels we know fault. */
export const USER_IMAGE_MIN_MIB = 16;

/** The image catalog: lists images, loads and verifies their files (sha256), caches them. */
export class ImageCatalog {
  private manifestPromise?: Promise<Manifest>;
  private readonly files = new Map<string, Promise<Uint8Array>>();

  constructor(readonly source: ImageSource) {}

  manifest(): Promise<Manifest> {
    this.manifestPromise ??= this.source.readManifest().then(parseManifest, (error: unknown) => {
      throw new HyperlabError(
        "image-missing",
        `The image catalog (manifest.json) could not be read from ${this.source.where}.`,
        { reason: String(error) },
      );
    });
    this.manifestPromise.catch(() => (this.manifestPromise = undefined));
    return this.manifestPromise;
  }

  async list(): Promise<ImageEntry[]> {
    return (await this.manifest()).images;
  }

  async get(id: string): Promise<ImageEntry> {
    const images = await this.list();
    const image = images.find((i) => i.id === id);
    if (!image)
      throw new HyperlabError(
        "unknown-image",
        `There is no image "${id}". Known images: ${images.map((i) => i.id).join(", ") || "none"}.`,
        { id },
      );
    return image;
  }

  /** The image whose BIOS files boot the images users bring (the first in the catalog). */
  async defaultImage(): Promise<ImageEntry> {
    const [first] = await this.list();
    if (!first) throw new HyperlabError("unknown-image", "The image catalog is empty.");
    return first;
  }

  /** Reads and verifies (size, sha256) one more file the catalog lists, e.g. a ready snapshot. */
  loadFile(file: ManifestFile, onProgress?: (p: LoadProgress) => void): Promise<Uint8Array> {
    return this.readFile(file, onProgress);
  }

  private readFile(file: ManifestFile, onProgress?: (p: LoadProgress) => void): Promise<Uint8Array> {
    let pending = this.files.get(file.path);
    if (!pending) {
      pending = this.readAndVerify(file, onProgress);
      this.files.set(file.path, pending);
      pending.catch(() => this.files.delete(file.path));
    }
    return pending;
  }

  private async readAndVerify(file: ManifestFile, onProgress?: (p: LoadProgress) => void): Promise<Uint8Array> {
    let bytes: Uint8Array;
    try {
      bytes = await this.source.read(
        file.path,
        (loaded, total) => onProgress?.({ file: file.path, loaded, total }),
        file.size,
      );
    } catch (error) {
      if (error instanceof HyperlabError) throw error;
      throw new HyperlabError(
        "image-missing",
        `The image file ${file.path} could not be read from ${this.source.where}.`,
        {
          path: file.path,
          reason: String(error),
        },
      );
    }
    if (bytes.length !== file.size)
      throw new HyperlabError(
        "image-corrupt",
        `The image file ${file.path} is ${bytes.length} bytes but the catalog says ${file.size}: it is damaged or from another build.`,
        { path: file.path },
      );
    const sha = await sha256Hex(bytes);
    if (sha !== file.sha256)
      throw new HyperlabError(
        "image-corrupt",
        `The image file ${file.path} does not match its sha256 in the catalog: it is damaged or from another build.`,
        { path: file.path, expected: file.sha256, actual: sha },
      );
    onProgress?.({ file: file.path, loaded: bytes.length, total: bytes.length });
    return bytes;
  }

  /** Loads and verifies every file of a catalog image. */
  async load(id: string, onProgress?: (p: LoadProgress) => void): Promise<BootFiles> {
    const image = await this.get(id);
    const f = image.files;
    const read = (file?: ManifestFile) => (file ? this.readFile(file, onProgress) : Promise.resolve(undefined));
    const [bios, vgaBios, bzimage, initrd, cdrom, hda] = await Promise.all([
      read(f.bios),
      read(f.vgaBios),
      read(f.bzimage),
      read(f.initrd),
      read(f.cdrom),
      read(f.hda),
    ]);
    return {
      kind: image.kind,
      bios: bios!,
      vgaBios: vgaBios!,
      bzimage: bzimage && padTo512(bzimage),
      initrd,
      cdrom,
      hda,
      cmdline: image.cmdline ?? "",
      readyMarker: image.readyMarker,
      prompt: image.prompt,
      cursorQuery: image.cursorQuery,
      minMemoryMiB: image.minMemoryMiB,
      defaultMemoryMiB: image.defaultMemoryMiB,
    };
  }

  /** Checks a file the user brings and pairs it with the catalog's BIOS. */
  async loadUserImage(user: UserImage): Promise<BootFiles> {
    const kind = checkUserImage(user.name, user.bytes);
    if (kind !== "bzimage" && (user.initrd || user.cmdline))
      throw new HyperlabError(
        "invalid-spec",
        `An initrd or a command line goes with a bzImage; ${user.name} is a ${kind} image.`,
      );
    const base = await this.defaultImage();
    const [bios, vgaBios] = await Promise.all([this.readFile(base.files.bios), this.readFile(base.files.vgaBios)]);
    const minMemoryMiB = user.initrd ? 128 : USER_IMAGE_MIN_MIB;
    return {
      kind,
      bios,
      vgaBios,
      bzimage: kind === "bzimage" ? padTo512(user.bytes) : undefined,
      initrd: user.initrd,
      cdrom: kind === "iso" ? user.bytes : undefined,
      hda: kind === "disk" ? user.bytes : undefined,
      cmdline: user.cmdline ?? (kind === "bzimage" ? "console=ttyS0 tsc=reliable clocksource=tsc" : ""),
      readyPattern: checkReadyPattern(user.readyPattern),
      // v86 places an external initrd at 64 MiB, so such a guest needs more than 64 MiB.
      minMemoryMiB,
      defaultMemoryMiB: Math.max(minMemoryMiB, 64),
    };
  }
}
