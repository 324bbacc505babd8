/** The catalog image's files, read the same way for bare v86 and (via core) for our layer. */
import { readFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export function imagesDir() {
  return process.env.HYPERLAB_IMAGES
    ? resolve(process.env.HYPERLAB_IMAGES)
    : resolve(dirname(fileURLToPath(import.meta.url)), "../../../images");
}

/** v86 throws on a bzImage whose size is not a multiple of 512. */
function padTo512(bytes) {
  if (bytes.byteLength % 512 === 0) return bytes;
  const padded = new Uint8Array(Math.ceil(bytes.byteLength / 512) * 512);
  padded.set(bytes);
  return padded;
}

/** An ArrayBuffer holding exactly the file's bytes (what v86 wants). */
function exact(bytes) {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes.buffer : bytes.slice().buffer;
}

/** Reads a bzImage catalog entry: { files: { bios, vgaBios, bzimage }, cmdline, readyMarker, memoryMiB }. */
export async function loadImage(id = "linux") {
  const dir = imagesDir();
  const manifest = JSON.parse(await readFile(join(dir, "manifest.json"), "utf8"));
  const entry = manifest.images.find((image) => image.id === id);
  if (!entry) throw new Error(`image "${id}" is not in ${join(dir, "manifest.json")}`);
  if (entry.kind !== "bzimage") throw new Error(`image "${id}" is a ${entry.kind}; the benches boot a bzimage`);
  const read = async (file) => new Uint8Array(await readFile(join(dir, entry.files[file].path)));
  return {
    id,
    files: {
      bios: exact(await read("bios")),
      vgaBios: exact(await read("vgaBios")),
      bzimage: exact(padTo512(await read("bzimage"))),
    },
    cmdline: entry.cmdline ?? "",
    readyMarker: entry.readyMarker ?? "hyperlab: ready",
    memoryMiB: entry.defaultMemoryMiB,
  };
}
