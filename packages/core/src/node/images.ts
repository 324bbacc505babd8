import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { ImageSource } from "../images/catalog.js";

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
    return JSON.parse(await readFile(join(this.where, "manifest.json"), "utf8"));
  }

  async read(path: string): Promise<Uint8Array> {
    const bytes = await readFile(join(this.where, path));
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
}
