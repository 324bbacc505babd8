import { statSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { basename } from "node:path";
import { HyperlabError, MAX_USER_IMAGE_BYTES, type UserImage } from "@hyperlab/core";

/**
 * Whether `<image>` names a file rather than a catalog id: catalog ids are lower-case words
 * with dashes, so a slash or a dot means a path; so does a file of that name in this folder.
 */
export function isImageFile(arg: string): boolean {
  if (arg.includes("/") || arg.includes(".")) return true;
  try {
    return statSync(arg).isFile();
  } catch {
    return false;
  }
}

/** A usable guest name from a file name (guest names are letters, digits, dots, dashes, underscores). */
export function guestNameFor(path: string): string {
  const name = basename(path)
    .replace(/[^A-Za-z0-9_.-]+/g, "-")
    .replace(/^[^A-Za-z0-9]+/, "")
    .slice(0, 63);
  return name || "guest";
}

/** Reads a file the user brings; a missing or unreadable file is `image-missing`, a folder `not-bootable`. */
export async function readImageFile(path: string, what: string): Promise<Uint8Array> {
  let size: number;
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw new HyperlabError("not-bootable", `${path} is a folder, not ${what}.`, { path });
    size = info.size;
  } catch (error) {
    if (error instanceof HyperlabError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new HyperlabError(
      "image-missing",
      code === "ENOENT"
        ? `There is no file ${path} (${what}).`
        : `${path} (${what}) could not be read: ${code ?? error}.`,
      { path },
    );
  }
  // Refuse before reading: the core would refuse it anyway, after reading it all into memory.
  if (size > MAX_USER_IMAGE_BYTES)
    throw new HyperlabError(
      "not-bootable",
      `${path} is ${Math.round(size / 2 ** 20)} MiB; images up to ${MAX_USER_IMAGE_BYTES / 2 ** 20} MiB can be booted here.`,
      { path },
    );
  try {
    const bytes = await readFile(path);
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new HyperlabError("image-missing", `${path} (${what}) could not be read: ${code ?? error}.`, { path });
  }
}

/** The spec image for a file the user brings; the core detects and checks its type. */
export async function userImage(path: string, initrd?: string, cmdline?: string): Promise<UserImage> {
  const image: UserImage = { name: basename(path), bytes: await readImageFile(path, "an image file") };
  if (initrd !== undefined) image.initrd = await readImageFile(initrd, "an initrd");
  if (cmdline !== undefined) image.cmdline = cmdline;
  return image;
}
