import { mkdtemp, rm, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { sha256Hex } from "../images/catalog.js";
import { SnapshotFiles } from "../node/snapshot-files.js";
import {
  MAX_SNAPSHOT_BYTES,
  SNAPSHOT_FORMAT_VERSION,
  checkSnapshotSize,
  SNAPSHOT_MAGIC,
  encodeSnapshot,
  gunzip,
  readSnapshot,
  snapshotState,
  type SnapshotHeader,
} from "./format.js";
import { snapshotId } from "./store.js";

const about = {
  createdAt: "2025-01-01T12:00:00.000Z",
  spec: {
    name: "web",
    image: "linux",
    memoryMiB: 32,
    console: "both" as const,
    net: "none" as const,
    balloon: false,
    weight: 256,
    cap: 0,
    cmdline: "",
  },
  image: { id: "linux", sha256: "0".repeat(64) },
  guest: { readyConsoles: ["serial" as const], paused: false },
};

/** A header whose fields a test may set to anything. */
type LooseHeader = { createdAt?: unknown } & Record<"spec" | "image" | "guest" | "body", Record<string, unknown>>;

/** The file of a snapshot whose header is changed by `edit` (lengths kept right). */
function withHeader(header: SnapshotHeader, body: Uint8Array, edit: (h: LooseHeader) => void): Uint8Array {
  const changed = structuredClone(header) as unknown as LooseHeader;
  edit(changed);
  const json = new TextEncoder().encode(JSON.stringify(changed));
  const out = new Uint8Array(16 + json.length + body.length);
  out.set(new TextEncoder().encode(SNAPSHOT_MAGIC));
  new DataView(out.buffer).setUint32(8, SNAPSHOT_FORMAT_VERSION, true);
  new DataView(out.buffer).setUint32(12, json.length, true);
  out.set(json, 16);
  out.set(body, 16 + json.length);
  return out;
}

describe("readSnapshot: the header's fields", () => {
  it("refuses fields of the wrong type with a sentence, which readers used to trip on as TypeErrors", async () => {
    const snapshot = await encodeSnapshot(new Uint8Array(1000), about);
    const body = snapshot.bytes.subarray(snapshot.bytes.length - snapshot.header.body.bytes);
    const cases: [string, (h: LooseHeader) => void][] = [
      ["createdAt", (h) => (h.createdAt = 5)], // snapshotId: createdAt.replace is not a function
      ["createdAt", (h) => (h.createdAt = "../../etc/passwd")],
      ["spec.name", (h) => (h.spec.name = { first: "web" })],
      ["spec.mac", (h) => (h.spec.mac = 42)], // the identity hand-over: mac.toLowerCase is not a function
      ["spec.memoryMiB", (h) => (h.spec.memoryMiB = "32")],
      ["guest.readyConsoles", (h) => (h.guest.readyConsoles = "serial")],
      ["image.sha256", (h) => (h.image.sha256 = null)],
      ["body.sha256", (h) => (h.body.sha256 = { "0": 1 })],
      ["body.rawBytes", (h) => (h.body.rawBytes = -1)],
    ];
    for (const [field, edit] of cases) {
      const bytes = withHeader(snapshot.header, body, edit);
      expect(() => readSnapshot(bytes), field).toThrow(
        expect.objectContaining({ code: "snapshot-corrupt", details: { reason: "header", field } }),
      );
    }
    // What it accepts, the stores can name.
    expect(snapshotId(readSnapshot(snapshot.bytes).header)).toBe("web-20250101T120000Z");
  });
});

describe("snapshot body: bounded by what the header says", () => {
  it("refuses a file larger than any snapshot can be before it is read", async () => {
    expect(() => checkSnapshotSize(MAX_SNAPSHOT_BYTES + 1)).toThrow(
      expect.objectContaining({ code: "snapshot-corrupt", details: { reason: "size" } }),
    );
    expect(() => checkSnapshotSize(MAX_SNAPSHOT_BYTES)).not.toThrow();
    // The file store stats a file first: a 3 GiB sparse file is refused without reading it.
    const dir = await mkdtemp(join(tmpdir(), "hlsnap-"));
    try {
      const file = join(dir, "huge.hlsnap");
      await writeFile(file, "");
      await truncate(file, 3 * 2 ** 30);
      await expect(new SnapshotFiles(dir).load("huge")).rejects.toThrow(/no snapshot is larger than/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("refuses a header whose state is larger than a machine of its memory holds, before unpacking anything", async () => {
    const snapshot = await encodeSnapshot(new Uint8Array(1000), about);
    const body = snapshot.bytes.subarray(snapshot.bytes.length - snapshot.header.body.bytes);
    // 32 MiB of memory and a few MiB of devices: not 2 GiB.
    const bytes = withHeader(snapshot.header, body, (h) => (h.body.rawBytes = 2 ** 31));
    expect(() => readSnapshot(bytes)).toThrow(
      expect.objectContaining({ code: "snapshot-corrupt", details: { reason: "header", field: "body.rawBytes" } }),
    );
  });

  it("stops inflating a gzip bomb once it passes the size its header says", async () => {
    // 64 MiB of zeros in ~64 KiB of gzip, under a header that says 1 MiB and a matching checksum.
    const bomb = new Uint8Array(gzipSync(new Uint8Array(64 * 2 ** 20)));
    const snapshot = await encodeSnapshot(new Uint8Array(2 ** 20), about);
    const sha256 = await sha256Hex(bomb);
    const file = withHeader(snapshot.header, bomb, (h) => (h.body = { ...h.body, bytes: bomb.length, sha256 }));
    await expect(snapshotState(readSnapshot(file))).rejects.toThrow(
      expect.objectContaining({ code: "snapshot-corrupt", details: { reason: "size" } }),
    );
    await expect(gunzip(bomb, 2 ** 20)).rejects.toThrow("too-big");
    expect((await gunzip(bomb, 64 * 2 ** 20)).length).toBe(64 * 2 ** 20);
  });
});
