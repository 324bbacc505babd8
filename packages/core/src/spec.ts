import { HyperlabError, shownValue } from "./errors.js";
import type { ImageEntry } from "./images/manifest.js";

export type ConsoleKind = "serial" | "virtio";
export type ConsoleChoice = ConsoleKind | "both";
export type NicModel = "none" | "ne2k" | "virtio";
/**
 * Host storage for the guest: an IDE disk (/dev/sda, emulated ATA) and/or a virtio-9p share
 * (tag host9p, mounted at /mnt/host). Both hold the same host-made test data (see machine.ts).
 */
export type StorageChoice = "none" | "ide" | "9p" | "both";

/** A file the user brings instead of a catalog image: a bzImage, an ISO or a raw disk image. */
export interface UserImage {
  name: string;
  bytes: Uint8Array;
  /** Only for a bzImage. */
  initrd?: Uint8Array;
  /** Only for a bzImage; the kernel command line. */
  cmdline?: string;
  /**
   * A regular expression the image prints once its shell reads input (like the catalog's ready
   * markers). Without one, a kernel's guest is ready at a shell prompt that stays quiet; a CD or
   * disk that boots through a boot loader cannot be known ready (see guest/readiness.ts).
   */
  readyPattern?: string;
}

/** What a user asks for: plain data, validated by `validateSpec`. */
export interface GuestSpec {
  name?: string;
  /** A catalog image id (e.g. "linux") or a file the user brings. */
  image: string | UserImage;
  memoryMiB?: number;
  /** Which consoles the guest has: the 8250 UART (ttyS0), virtio-console (hvc0), or both. */
  console?: ConsoleChoice;
  net?: NicModel;
  /** A virtio-balloon device, so the host can take memory back from a running guest. */
  balloon?: boolean;
  /** An IDE disk, a virtio-9p share, both or none (default). */
  storage?: StorageChoice;
  /** Proportional CPU share; 256 is the default, 512 gets twice as much under contention. */
  weight?: number;
  /** At most this % of one host core; 0 means no cap. */
  cap?: number;
  /** Appended to the image's kernel command line (bzImage guests only). */
  cmdline?: string;
  mac?: string;
}

/** A spec with every default filled in. */
export interface ResolvedSpec {
  name: string;
  image: string | UserImage;
  memoryMiB: number;
  console: ConsoleChoice;
  net: NicModel;
  balloon: boolean;
  storage: StorageChoice;
  weight: number;
  cap: number;
  cmdline: string;
  mac?: string;
}

export const DEFAULT_WEIGHT = 256;
export const MAX_MEMORY_MIB = 2048;
/**
 * The one name rule, for guests and for a lab's segments, flavors and the lab itself: a name
 * is used in hostnames, file names and the CLI's "NAME: " prefixes, so it stays short and plain.
 */
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;
/** The rule in words, for the sentences that refuse a name. */
export const NAME_RULE = "1–63 letters, digits, dots, dashes or underscores";
const MAC = /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i;

/** `reason` names the rule that was broken (the field's name by default; the app translates by it). */
function invalid(message: string, field: string, value?: unknown, reason = field): never {
  throw new HyperlabError("invalid-spec", message, {
    field,
    reason,
    ...(value === undefined ? {} : { value: shownValue(value) }),
  });
}

/** Whether `value` is a usable name (see NAME_RULE). */
export function isName(value: unknown): value is string {
  return typeof value === "string" && NAME.test(value);
}

/** A guest's CPU quota: a weight of 1 to 65535 and a cap of 0 (none) to 100 % of one core. */
export function validateQuota(quota: { weight: unknown; cap: unknown }): { weight: number; cap: number } {
  const { weight, cap } = quota;
  if (typeof weight !== "number" || !Number.isInteger(weight) || weight < 1 || weight > 65535)
    invalid(`Weight must be a whole number from 1 to 65535, not ${shownValue(weight)}.`, "weight", weight);
  if (typeof cap !== "number" || !(cap >= 0 && cap <= 100))
    invalid(`Cap must be a percentage of one core from 0 (no cap) to 100, not ${shownValue(cap)}.`, "cap", cap);
  return { weight, cap };
}

export function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;
}

/**
 * Checks a spec's shape and fills in defaults. Checks that need the image (its minimum
 * memory) are made by `checkSpecAgainstImage` once the image is known.
 */
export function validateSpec(spec: GuestSpec, fallbackName = "guest"): ResolvedSpec {
  if (!spec || typeof spec !== "object") invalid("A guest spec must be an object.", "spec");
  const { image } = spec;
  if (typeof image === "string") {
    if (!image) invalid("The guest spec names no image.", "image");
  } else if (!image || typeof image !== "object" || !(image.bytes instanceof Uint8Array)) {
    invalid("The image must be a catalog id or a file with its bytes.", "image");
  }
  const name = spec.name ?? fallbackName;
  if (!isName(name)) invalid(`"${shownValue(name)}" is not a usable guest name: use ${NAME_RULE}.`, "name", name);
  const memoryMiB = spec.memoryMiB;
  if (memoryMiB !== undefined) {
    if (typeof memoryMiB !== "number" || !Number.isInteger(memoryMiB) || memoryMiB <= 0)
      invalid(`Memory must be a whole number of MiB, not ${shownValue(memoryMiB)}.`, "memoryMiB", memoryMiB);
    if (!isPowerOfTwo(memoryMiB))
      throw new HyperlabError(
        "memory-not-power-of-two",
        `Memory must be a power of two (16, 32, 64, 128, … MiB); ${memoryMiB} MiB is not.`,
        { memoryMiB },
      );
    if (memoryMiB > MAX_MEMORY_MIB)
      invalid(
        `A guest can have at most ${MAX_MEMORY_MIB} MiB; ${memoryMiB} MiB was asked for.`,
        "memoryMiB",
        memoryMiB,
        "memory-max",
      );
  }
  const console = spec.console ?? "both";
  if (!["serial", "virtio", "both"].includes(console))
    invalid(`Console must be serial, virtio or both, not "${shownValue(console)}".`, "console");
  const net = spec.net ?? "none";
  if (!["none", "ne2k", "virtio"].includes(net))
    invalid(`Network must be none, ne2k or virtio, not "${shownValue(net)}".`, "net");
  const storage = spec.storage ?? "none";
  if (!["none", "ide", "9p", "both"].includes(storage))
    invalid(`Storage must be none, ide, 9p or both, not "${shownValue(storage)}".`, "storage");
  const { weight, cap } = validateQuota({ weight: spec.weight ?? DEFAULT_WEIGHT, cap: spec.cap ?? 0 });
  if (spec.mac !== undefined && (typeof spec.mac !== "string" || !MAC.test(spec.mac)))
    invalid(`"${shownValue(spec.mac)}" is not a MAC address (six hex pairs separated by colons).`, "mac");
  if (spec.cmdline !== undefined && typeof spec.cmdline !== "string")
    invalid("The kernel command line must be text.", "cmdline");
  return {
    name,
    image,
    memoryMiB: memoryMiB ?? 0,
    console,
    net,
    balloon: spec.balloon ?? false,
    storage,
    weight,
    cap,
    cmdline: spec.cmdline ?? "",
    mac: spec.mac,
  };
}

/** Fills in the image's default memory and enforces its minimum. */
export function checkSpecAgainstImage(
  spec: ResolvedSpec,
  image: Pick<ImageEntry, "id" | "minMemoryMiB" | "defaultMemoryMiB">,
): ResolvedSpec {
  const memoryMiB = spec.memoryMiB || image.defaultMemoryMiB;
  if (memoryMiB < image.minMemoryMiB)
    throw new HyperlabError(
      "memory-too-small",
      `Image "${image.id}" needs at least ${image.minMemoryMiB} MiB; ${memoryMiB} MiB was asked for.`,
      { image: image.id, memoryMiB, minMemoryMiB: image.minMemoryMiB },
    );
  return { ...spec, memoryMiB };
}
