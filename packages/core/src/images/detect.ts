import { HyperlabError } from "../errors.js";
import type { ImageKind } from "./manifest.js";

/**
 * Tells what a file a user brings is, from its bytes:
 * - Linux bzImage: the boot protocol header "HdrS" at 0x202 (Documentation/x86/boot.rst);
 * - ISO 9660: "CD001" at 0x8001 (the primary volume descriptor, sector 16);
 * - raw disk: an MBR boot signature 0x55 0xAA at 510.
 */
export function detectImageKind(bytes: Uint8Array): ImageKind | undefined {
  const at = (offset: number, text: string) =>
    bytes.length >= offset + text.length && [...text].every((ch, i) => bytes[offset + i] === ch.charCodeAt(0));
  if (at(0x202, "HdrS")) return "bzimage";
  if (at(0x8001, "CD001")) return "iso";
  if (bytes.length >= 512 && bytes[510] === 0x55 && bytes[511] === 0xaa) return "disk";
  return undefined;
}

export const MAX_USER_IMAGE_BYTES = 512 * 1024 * 1024;

/** Checks a user's file before boot: throws `not-bootable` with a sentence when it is none of ours. */
export function checkUserImage(name: string, bytes: Uint8Array, expected?: ImageKind): ImageKind {
  if (bytes.length === 0) throw new HyperlabError("not-bootable", `${name} is empty.`, { reason: "empty", file: name });
  if (bytes.length > MAX_USER_IMAGE_BYTES)
    throw new HyperlabError(
      "not-bootable",
      `${name} is ${Math.round(bytes.length / 2 ** 20)} MiB; images up to ${MAX_USER_IMAGE_BYTES / 2 ** 20} MiB can be booted here.`,
      {
        reason: "too-big",
        file: name,
        mib: Math.round(bytes.length / 2 ** 20),
        maxMib: MAX_USER_IMAGE_BYTES / 2 ** 20,
      },
    );
  const kind = detectImageKind(bytes);
  if (!kind)
    throw new HyperlabError(
      "not-bootable",
      `${name} is not a bootable image: it is neither a Linux bzImage, an ISO 9660 CD image nor a disk with a boot sector.`,
      { reason: "unknown", file: name },
    );
  if (expected && kind !== expected)
    throw new HyperlabError("not-bootable", `${name} is a ${kind} image, not a ${expected} image.`, {
      reason: "wrong-kind",
      file: name,
      kind,
      expected,
    });
  if (kind === "disk" && bytes.length % 512 !== 0)
    throw new HyperlabError(
      "not-bootable",
      `${name} is ${bytes.length} bytes; a disk image is a whole number of 512-byte sectors.`,
      { reason: "sector-size", file: name, bytes: bytes.length },
    );
  return kind;
}

/** v86 throws on a bzImage whose size is not a multiple of 512: pad it with zeros. */
export function padTo512(bytes: Uint8Array): Uint8Array {
  const rest = bytes.length % 512;
  if (rest === 0) return bytes;
  const padded = new Uint8Array(bytes.length + 512 - rest);
  padded.set(bytes);
  return padded;
}

/** The longest ready pattern a user may give (it runs against every console chunk while booting). */
const MAX_PATTERN = 200;

/** Checks a ready pattern a user gives for their image. */
export function checkReadyPattern(pattern: unknown): string | undefined {
  if (pattern === undefined) return undefined;
  const refuse = (why: string) => {
    throw new HyperlabError("invalid-spec", `The ready pattern ${why}.`, {
      field: "readyPattern",
      reason: "ready-pattern",
    });
  };
  if (typeof pattern !== "string" || pattern.length === 0 || pattern.length > MAX_PATTERN)
    refuse(`must be text of 1 to ${MAX_PATTERN} characters`);
  try {
    new RegExp(pattern as string);
  } catch {
    refuse(`"${String(pattern)}" is not a regular expression`);
  }
  return pattern as string;
}
