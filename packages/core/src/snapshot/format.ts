/**
 * The snapshot file format (see FORMAT.md next to this file): a fixed preamble, a JSON header
 * that says what the snapshot is, and a gzip body holding v86's `save_state()` bytes.
 *
 *   offset 0   8 bytes  magic "HLSNAP\r\n" (the CR LF catches text-mode mangling, as PNG does)
 *   offset 8   u32 LE   format version (SNAPSHOT_FORMAT_VERSION)
 *   offset 12  u32 LE   header length H in bytes
 *   offset 16  H bytes  header, UTF-8 JSON (SnapshotHeader)
 *   offset 16+H         body: gzip of the machine state, header.body.bytes long
 *
 * gzip because both sides can read it natively: CompressionStream in browsers and Node 20.
 */
import { HyperlabError } from "../errors.js";
import { gunzip, gzip } from "./gzip.js";

export { gunzip, gzip } from "./gzip.js";
import { sha256Hex, type BootFiles } from "../images/catalog.js";
import { isName, isPowerOfTwo, MAX_MEMORY_MIB, type ConsoleChoice, type ConsoleKind, type NicModel } from "../spec.js";

export const SNAPSHOT_MAGIC = "HLSNAP\r\n";
export const SNAPSHOT_FORMAT_VERSION = 1;
/** The emulator whose state the body holds (the pinned dependency of @hyperlab/core). */
export const V86_VERSION = "0.5.462";
const PREAMBLE = 16;
/** A header is a few hundred bytes; anything near this is not one of ours. */
const MAX_HEADER = 1 << 20;

/** The parts of a guest's spec that a machine state depends on, and the rest it had. */
export interface SnapshotSpec {
  name: string;
  /** Catalog image id, or the file name of an image the user brought. */
  image: string;
  memoryMiB: number;
  console: ConsoleChoice;
  net: NicModel;
  balloon: boolean;
  weight: number;
  cap: number;
  cmdline: string;
  mac?: string;
}

export interface SnapshotHeader {
  format: number;
  v86: string;
  /** ISO 8601, when the state was saved. */
  createdAt: string;
  spec: SnapshotSpec;
  /** The image the guest booted, and the sha256 of its boot file (bzImage, ISO or disk). */
  image: { id: string; sha256: string };
  /** Consoles whose shell was ready, and whether the guest was running or paused. */
  guest: { readyConsoles: ConsoleKind[]; paused: boolean };
  body: { encoding: "gzip"; bytes: number; rawBytes: number; sha256: string };
}

/** A snapshot as bytes (what is stored, downloaded and uploaded) and its parsed header. */
export interface Snapshot {
  header: SnapshotHeader;
  bytes: Uint8Array;
}

function corrupt(message: string, details: Record<string, unknown> = {}): never {
  throw new HyperlabError("snapshot-corrupt", message, details);
}

/** Compresses a machine state and wraps it with its header. */
export async function encodeSnapshot(
  state: Uint8Array,
  about: Omit<SnapshotHeader, "format" | "v86" | "body" | "createdAt"> & { createdAt?: string },
): Promise<Snapshot> {
  const body = await gzip(state);
  const header: SnapshotHeader = {
    format: SNAPSHOT_FORMAT_VERSION,
    v86: V86_VERSION,
    createdAt: about.createdAt ?? new Date().toISOString(),
    spec: about.spec,
    image: about.image,
    guest: about.guest,
    body: { encoding: "gzip", bytes: body.length, rawBytes: state.length, sha256: await sha256Hex(body) },
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const bytes = new Uint8Array(PREAMBLE + json.length + body.length);
  bytes.set(new TextEncoder().encode(SNAPSHOT_MAGIC), 0);
  const view = new DataView(bytes.buffer);
  view.setUint32(8, SNAPSHOT_FORMAT_VERSION, true);
  view.setUint32(12, json.length, true);
  bytes.set(json, PREAMBLE);
  bytes.set(body, PREAMBLE + json.length);
  return { header, bytes };
}

/**
 * Reads a snapshot's preamble and header without touching the body: refuses bad magic, an
 * unknown format version, a truncated file and a header that is not ours.
 */
export function readSnapshot(bytes: Uint8Array): Snapshot {
  if (!(bytes instanceof Uint8Array)) corrupt("A snapshot must be bytes.");
  checkSnapshotSize(bytes.length);
  const magic = new TextDecoder().decode(bytes.subarray(0, 8));
  if (bytes.length < 8 || magic !== SNAPSHOT_MAGIC)
    corrupt("This is not a Hyperlab snapshot: it does not start with the snapshot magic (HLSNAP).", {
      reason: "magic",
    });
  if (bytes.length < PREAMBLE)
    corrupt("The snapshot is truncated: it ends inside its preamble.", { reason: "truncated" });
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== SNAPSHOT_FORMAT_VERSION)
    throw new HyperlabError(
      "snapshot-version",
      `The snapshot is in format version ${version}; this Hyperlab reads version ${SNAPSHOT_FORMAT_VERSION} only.`,
      { reason: "format", version, supported: SNAPSHOT_FORMAT_VERSION },
    );
  const headerLength = view.getUint32(12, true);
  if (headerLength > MAX_HEADER)
    corrupt(`The snapshot header claims ${headerLength} bytes: the file is damaged.`, { reason: "header" });
  if (bytes.length < PREAMBLE + headerLength)
    corrupt(
      `The snapshot is truncated: its header needs ${headerLength} bytes but only ${bytes.length - PREAMBLE} follow.`,
      { reason: "truncated" },
    );
  let header: SnapshotHeader;
  try {
    header = JSON.parse(
      new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(PREAMBLE, PREAMBLE + headerLength)),
    );
  } catch {
    corrupt("The snapshot header is not readable JSON: the file is damaged.", { reason: "header" });
  }
  if (
    !isObject(header) ||
    !isObject(header.spec) ||
    !isObject(header.body) ||
    !isObject(header.image) ||
    !isObject(header.guest)
  )
    corrupt("The snapshot header lacks its spec, image or body description: the file is damaged.", {
      reason: "header",
    });
  if (header.format !== version)
    corrupt("The snapshot header and preamble disagree on the format version.", { reason: "header" });
  if (header.v86 !== V86_VERSION)
    throw new HyperlabError(
      "snapshot-version",
      `The snapshot holds a v86 ${header.v86} machine; this Hyperlab runs v86 ${V86_VERSION}, which cannot load it.`,
      { reason: "v86", v86: header.v86, supported: V86_VERSION },
    );
  const bad = badField(header);
  if (bad)
    corrupt(`The snapshot header's ${bad} is not what the format says: the file is damaged.`, {
      reason: "header",
      field: bad,
    });
  const have = bytes.length - PREAMBLE - headerLength;
  if (have < header.body.bytes)
    corrupt(`The snapshot is truncated: its body should be ${header.body.bytes} bytes but only ${have} are there.`, {
      reason: "truncated",
      expected: header.body.bytes,
      actual: have,
    });
  if (have > header.body.bytes)
    corrupt(`The snapshot has ${have - header.body.bytes} unexpected bytes after its body: the file is damaged.`, {
      reason: "size",
    });
  return { header, bytes };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return !!value && typeof value === "object" && !Array.isArray(value);
}

/** v86's state beside the guest's memory (VGA memory, device state) is a few MiB; this is ample. */
const STATE_BESIDE_MEMORY = 64 * 2 ** 20;
/** The largest machine state there is: the most memory a spec allows, and v86's device state beside it. */
const MAX_STATE = MAX_MEMORY_MIB * 2 ** 20 + STATE_BESIDE_MEMORY;
/**
 * The largest snapshot file there can be: the preamble, the largest header and gzip of the largest
 * state (gzip adds well under 0.1 % to bytes that do not compress). Readers of files check a file's
 * size against it before reading it (checkSnapshotSize).
 */
export const MAX_SNAPSHOT_BYTES = PREAMBLE + MAX_HEADER + Math.ceil(MAX_STATE * 1.001) + 2 ** 16;

/** Refuses a file of `size` bytes before it is read when no snapshot can be that large. */
export function checkSnapshotSize(size: number): void {
  if (size > MAX_SNAPSHOT_BYTES)
    corrupt(
      `The file is ${Math.round(size / 2 ** 20)} MiB; no snapshot is larger than ${Math.round(MAX_SNAPSHOT_BYTES / 2 ** 20)} MiB (a guest of ${MAX_MEMORY_MIB} MiB).`,
      { reason: "size" },
    );
}

const SHA256 = /^[0-9a-f]{64}$/;
/** As `Date.toISOString` writes it: the stores make file names of it (snapshotId). */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;
const MAC = /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i;

const isText = (value: unknown) => typeof value === "string";
const isCount = (value: unknown) => Number.isSafeInteger(value) && (value as number) >= 0;
const oneOf =
  (...values: unknown[]) =>
  (value: unknown) =>
    values.includes(value);
const optional = (check: (value: unknown) => boolean) => (value: unknown) => value === undefined || check(value);

/** The fields of a header as FORMAT.md gives them, each with the check its value must pass. */
const HEADER_FIELDS: Record<string, Record<string, (value: unknown) => boolean>> = {
  "": { v86: isText, createdAt: (v) => isText(v) && ISO_TIME.test(v as string) },
  spec: {
    name: isName,
    image: (v) => isText(v) && (v as string).length > 0,
    memoryMiB: (v) => isPowerOfTwo(v as number) && (v as number) <= MAX_MEMORY_MIB,
    console: oneOf("serial", "virtio", "both"),
    net: oneOf("none", "ne2k", "virtio"),
    balloon: oneOf(true, false),
    weight: Number.isFinite,
    cap: Number.isFinite,
    cmdline: isText,
    mac: optional((v) => isText(v) && MAC.test(v as string)),
  },
  image: { id: isText, sha256: (v) => v === "" || (isText(v) && SHA256.test(v as string)) },
  guest: {
    readyConsoles: (v) => Array.isArray(v) && v.length <= 2 && v.every(oneOf("serial", "virtio")),
    paused: oneOf(true, false),
  },
  body: {
    encoding: oneOf("gzip"),
    bytes: isCount,
    rawBytes: isCount,
    sha256: (v) => isText(v) && SHA256.test(v as string),
  },
};

/** The first field of a header that is not what the format says ("spec.memoryMiB"), if any. */
function badField(header: SnapshotHeader): string | undefined {
  for (const [part, fields] of Object.entries(HEADER_FIELDS)) {
    const values = (part ? header[part as keyof SnapshotHeader] : header) as Record<string, unknown>;
    for (const [field, check] of Object.entries(fields))
      if (!check(values[field])) return part ? `${part}.${field}` : field;
  }
  // The most a machine of the spec's memory can hold: a body that claims more is not one of ours.
  if (header.body.rawBytes > header.spec.memoryMiB * 2 ** 20 + STATE_BESIDE_MEMORY) return "body.rawBytes";
  return undefined;
}

/**
 * Verified, unpacked states by the snapshot bytes they came from. A ready snapshot of the
 * image is launched again and again: checking and unpacking it once saves ~130 ms a launch.
 * Callers only copy the state (postMessage without transfer), never change it.
 */
const unpacked = new WeakMap<Uint8Array, Promise<Uint8Array>>();

/** Checks the body against its sha256 and unpacks the machine state. */
export function snapshotState(snapshot: Snapshot): Promise<Uint8Array> {
  let state = unpacked.get(snapshot.bytes);
  if (!state) {
    state = unpackState(snapshot);
    unpacked.set(snapshot.bytes, state);
    state.catch(() => unpacked.delete(snapshot.bytes));
  }
  return state;
}

async function unpackState(snapshot: Snapshot): Promise<Uint8Array> {
  const { header, bytes } = readSnapshot(snapshot.bytes);
  const body = bytes.subarray(bytes.length - header.body.bytes);
  const sha = await sha256Hex(body);
  if (sha !== header.body.sha256)
    corrupt("The snapshot body does not match its checksum (sha256): the file is damaged.", {
      reason: "checksum",
      expected: header.body.sha256,
      actual: sha,
    });
  let state: Uint8Array;
  try {
    state = await gunzip(body, header.body.rawBytes);
  } catch (error) {
    if (error instanceof RangeError && error.message === "too-big")
      corrupt(`The snapshot body unpacks to more than the ${header.body.rawBytes} bytes its header says.`, {
        reason: "size",
      });
    corrupt("The snapshot body does not decompress: the file is damaged.", { reason: "decompress" });
  }
  if (state.length !== header.body.rawBytes)
    corrupt(`The snapshot body unpacks to ${state.length} bytes, not the ${header.body.rawBytes} its header says.`, {
      reason: "size",
    });
  return state;
}

/** The spec fields a machine state fixes: restoring into anything else is refused. */
export const STATE_FIELDS = ["memoryMiB", "console", "net", "balloon"] as const;

type Target = {
  name: string;
  spec: Pick<SnapshotSpec, (typeof STATE_FIELDS)[number] | "image">;
  imageSha256?: string;
};

/**
 * Why a snapshot cannot become this guest's machine: a sentence and the facts behind it (the
 * rule broken as `reason`, for pages that word it in another language), or undefined if it can.
 * Memory size and devices are in the state; so is the image's kernel and BIOS.
 */
function mismatch(
  header: SnapshotHeader,
  target: Target,
): { why: string; details: Record<string, string | number> } | undefined {
  const s = header.spec;
  const t = target.spec;
  const what = `The snapshot of "${s.name}"`;
  const base = { snapshot: s.name, guest: target.name };
  if (s.memoryMiB !== t.memoryMiB)
    return {
      why: `${what} has ${s.memoryMiB} MiB of memory; guest "${target.name}" has ${t.memoryMiB} MiB.`,
      details: { ...base, reason: "memory", snapshotMiB: s.memoryMiB, guestMiB: t.memoryMiB },
    };
  // Console, NIC and balloon in words every language reads: "serial + ne2k", "virtio + virtio + balloon".
  const parts = (x: Pick<SnapshotSpec, "console" | "net" | "balloon">) =>
    [x.console, x.net, x.balloon ? "balloon" : ""].filter(Boolean).join(" + ");
  if (s.console !== t.console || s.net !== t.net || s.balloon !== t.balloon)
    return {
      why: `${what} has other devices (${parts(s)}) than guest "${target.name}" (${parts(t)}).`,
      details: { ...base, reason: "devices", snapshotDevices: parts(s), guestDevices: parts(t) },
    };
  if (s.image !== t.image)
    return {
      why: `${what} runs image "${s.image}"; guest "${target.name}" runs image "${t.image}".`,
      details: { ...base, reason: "image", snapshotImage: s.image, guestImage: t.image },
    };
  if (target.imageSha256 && header.image.sha256 !== target.imageSha256) {
    const [snapshotSha, catalogSha] = [header.image.sha256.slice(0, 12), target.imageSha256.slice(0, 12)];
    return {
      why: `${what} was made from another build of image "${s.image}" (sha256 ${snapshotSha}…, the catalog has ${catalogSha}…); make the snapshot again.`,
      details: { ...base, reason: "build", image: s.image, snapshotSha, catalogSha },
    };
  }
  return undefined;
}

/** Why a snapshot cannot become this guest's machine, as a sentence, or undefined if it can. */
export function incompatibility(header: SnapshotHeader, target: Target): string | undefined {
  return mismatch(header, target)?.why;
}

export function assertCompatible(header: SnapshotHeader, target: Target): void {
  const found = mismatch(header, target);
  if (found) throw new HyperlabError("snapshot-incompatible", found.why, found.details);
}

const shaOfBootFile = new WeakMap<Uint8Array, Promise<string>>();

/**
 * The sha256 of an image's boot file (bzImage, ISO or disk) as the machine got it: for a
 * catalog file that needs no padding, the manifest's sha256. Cached per file.
 */
export function imageSha256(files: Pick<BootFiles, "bzimage" | "cdrom" | "hda">): Promise<string> {
  const boot = files.bzimage ?? files.cdrom ?? files.hda;
  if (!boot) return Promise.resolve("");
  let sha = shaOfBootFile.get(boot);
  if (!sha) {
    sha = sha256Hex(boot);
    shaOfBootFile.set(boot, sha);
  }
  return sha;
}
