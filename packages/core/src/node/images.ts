import { existsSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { MAX_MANIFEST_BYTES, tooLong, type ImageSource } from "../images/catalog.js";

/** The repository's images/ folder, found by walking up from this package (or $HYPERLAB_IMAGES). */
export function findImagesDir(start = dirname(fileURLToPath(import.meta.url))): string {
  const fromEnv = process.env.HYPERLAB_IMAGES;
  if (fromEnv) return resolve(fromEnv);
  let dir = start;
  for (;;) {
    if (existsSync(join(dir, "images", "manifest.json"))) return join(dir, "images");
    const parent = dirname(dir);
    if (parent === dir) return join(start, "images");
    dir = parent;
  }
}

/** Reads images from a folder holding manifest.json and the files it names. */
export class FolderImageSource implements ImageSource {
  constructor(readonly where: string = findImagesDir()) {}

  async readManifest(): Promise<unknown> {
    return JSON.parse(new TextDecoder().decode(await this.read("manifest.json", undefined, MAX_MANIFEST_BYTES)));
  }

  /** Reads the file, refusing one larger than `maxBytes` before reading it. */
  async read(path: string, _onProgress?: unknown, maxBytes = Infinity): Promise<Uint8Array> {
    const file = join(this.where, path);
    if ((await stat(file)).size > maxBytes) throw tooLong(path, maxBytes);
    const bytes = await readFile(file);
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
}
