/**
 * Fuzzing the snapshot file reader: any bytes a user uploads, a store returns or a disk damaged
 * give a snapshot whose header is what the format says, or a HyperlabError with a sentence.
 * Mutations start from the image's real ready snapshot (images/linux/ready/).
 */
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sha256Hex } from "../images/catalog.js";
import { isName } from "../spec.js";
import { applyEdits, byteEdits, edgyJson, fuzz, mutatedJson, outcome, outcomeOf } from "../testing/fuzz.js";
import {
  SNAPSHOT_FORMAT_VERSION,
  SNAPSHOT_MAGIC,
  assertCompatible,
  encodeSnapshot,
  incompatibility,
  readSnapshot,
  snapshotState,
  type Snapshot,
  type SnapshotHeader,
} from "./format.js";
import { checkSnapshotId, snapshotId } from "./store.js";

const real = new Uint8Array(
  readFileSync(new URL("../../../../images/linux/ready/32m-both-none.hlsnap", import.meta.url)),
);
const realHeaderLength = new DataView(real.buffer, real.byteOffset).getUint32(12, true);
const realHeader = JSON.parse(new TextDecoder().decode(real.subarray(16, 16 + realHeaderLength)));
const realBody = real.subarray(16 + realHeaderLength);
/** The real header over a 64-byte body, for the many runs that only read the header. */
const smallBody = realBody.subarray(0, 64);
const smallHeader = { ...realHeader, body: { ...realHeader.body, bytes: smallBody.length } };

/** A snapshot file: the preamble, this header (any JSON value) and this body. */
function file(header: unknown, body: Uint8Array, version = SNAPSHOT_FORMAT_VERSION): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header) ?? "");
  const out = new Uint8Array(16 + json.length + body.length);
  out.set(new TextEncoder().encode(SNAPSHOT_MAGIC));
  const view = new DataView(out.buffer);
  view.setUint32(8, version, true);
  view.setUint32(12, json.length, true);
  out.set(json, 16);
  out.set(body, 16 + json.length);
  return out;
}

const SHA256 = /^[0-9a-f]{64}$/;

/** What every header readSnapshot accepts must be, field by field (FORMAT.md), and what its users rely on. */
function expectHeaderAsDocumented(header: SnapshotHeader, bytes: Uint8Array): void {
  expect(header.format).toBe(SNAPSHOT_FORMAT_VERSION);
  expect(typeof header.v86).toBe("string");
  expect(typeof header.createdAt).toBe("string");
  const { spec } = header;
  expect(isName(spec.name)).toBe(true);
  expect(typeof spec.image === "string" && spec.image.length > 0).toBe(true);
  expect(Number.isInteger(spec.memoryMiB) && spec.memoryMiB > 0).toBe(true);
  expect(["serial", "virtio", "both"]).toContain(spec.console);
  expect(["none", "ne2k", "virtio"]).toContain(spec.net);
  expect(typeof spec.balloon).toBe("boolean");
  expect(Number.isFinite(spec.weight) && Number.isFinite(spec.cap)).toBe(true);
  expect(typeof spec.cmdline).toBe("string");
  if (spec.mac !== undefined) expect(typeof spec.mac).toBe("string");
  expect(typeof header.image.id).toBe("string");
  expect(typeof header.image.sha256).toBe("string");
  expect(Array.isArray(header.guest.readyConsoles)).toBe(true);
  for (const kind of header.guest.readyConsoles) expect(["serial", "virtio"]).toContain(kind);
  expect(typeof header.guest.paused).toBe("boolean");
  expect(header.body.encoding).toBe("gzip");
  expect(Number.isSafeInteger(header.body.bytes) && header.body.bytes >= 0).toBe(true);
  expect(Number.isSafeInteger(header.body.rawBytes) && header.body.rawBytes >= 0).toBe(true);
  expect(header.body.sha256).toMatch(SHA256);
  expect(16 + header.body.bytes).toBeLessThanOrEqual(bytes.length);
  // The stores key it by an id made from its header: that id must be one they take.
  expect(() => checkSnapshotId(snapshotId(header))).not.toThrow();
}

/** What the readers of a header do with it must not throw anything but a HyperlabError either. */
function useHeader(header: SnapshotHeader, target: Parameters<typeof assertCompatible>[1]): void {
  outcome(() => assertCompatible(header, target));
  outcome(() => incompatibility(header, target));
}

const target = fc.record({
  name: fc.string(),
  spec: fc.record({
    image: fc.constantFrom("linux", "other", ""),
    memoryMiB: fc.constantFrom(16, 32, 64),
    console: fc.constantFrom("serial" as const, "virtio" as const, "both" as const),
    net: fc.constantFrom("none" as const, "ne2k" as const, "virtio" as const),
    balloon: fc.boolean(),
  }),
  imageSha256: fc.option(fc.constantFrom(realHeader.image.sha256 as string, "0".repeat(64), "abc"), {
    nil: undefined,
  }),
});

describe("readSnapshot (fuzzed)", () => {
  {
    const { title, options } = fuzz("any bytes: a snapshot or a HyperlabError", 3000);
    it(title, () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 1024 }), (bytes) => {
          const result = outcome(() => readSnapshot(bytes));
          expect(result.ok).toBe(false);
        }),
        options,
      );
    });
  }

  {
    const { title, options } = fuzz("a preamble with any version and header length, then anything", 3000);
    it(title, () => {
      const length = fc.oneof(
        fc.nat({ max: 4096 }),
        fc.constantFrom(0, 1, realHeaderLength, 2 ** 20, 2 ** 20 + 1, 2 ** 31, 2 ** 32 - 1),
      );
      const version = fc.oneof(fc.constant(SNAPSHOT_FORMAT_VERSION), fc.nat(), fc.constant(2 ** 32 - 1));
      fc.assert(
        fc.property(version, length, fc.uint8Array({ maxLength: 2048 }), (v, n, tail) => {
          const bytes = new Uint8Array(16 + tail.length);
          bytes.set(new TextEncoder().encode(SNAPSHOT_MAGIC));
          const view = new DataView(bytes.buffer);
          view.setUint32(8, v, true);
          view.setUint32(12, n, true);
          bytes.set(tail, 16);
          const result = outcome(() => readSnapshot(bytes));
          if (result.ok) expectHeaderAsDocumented(result.value.header, bytes);
        }),
        options,
      );
    });
  }

  {
    const { title, options } = fuzz("the real ready snapshot with its preamble or header damaged", 150);
    it(title, () => {
      fc.assert(
        fc.property(byteEdits({ span: 16 + realHeaderLength + 8 }), (edits) => {
          const bytes = applyEdits(real, edits);
          const result = outcome(() => readSnapshot(bytes));
          if (result.ok) expectHeaderAsDocumented(result.value.header, bytes);
        }),
        options,
      );
    });
  }

  {
    const { title, options } = fuzz("the real header with fields replaced, removed or added (lengths right)", 2000);
    it(title, () => {
      fc.assert(
        fc.property(mutatedJson(smallHeader), target, (header, to) => {
          const bytes = file(header, smallBody);
          const result = outcome(() => readSnapshot(bytes));
          if (!result.ok) return;
          expectHeaderAsDocumented(result.value.header, bytes);
          useHeader(result.value.header, to);
        }),
        options,
      );
    });
  }

  {
    const { title, options } = fuzz("headers that are any JSON value", 2000);
    it(title, () => {
      fc.assert(
        fc.property(edgyJson(), fc.uint8Array({ maxLength: 64 }), (header, body) => {
          const bytes = file(header, body);
          const result = outcome(() => readSnapshot(bytes));
          if (result.ok) expectHeaderAsDocumented(result.value.header, bytes);
        }),
        options,
      );
    });
  }
});

/** A snapshot of a small made-up machine state, as encodeSnapshot writes it. */
async function smallSnapshot(state: Uint8Array): Promise<Snapshot> {
  const { spec, image, guest } = realHeader as SnapshotHeader;
  return encodeSnapshot(state, { spec, image, guest, createdAt: realHeader.createdAt });
}

/** The same snapshot with another body (and, when `honest`, the body's sha256 and size made to match). */
async function withBody(snapshot: Snapshot, body: Uint8Array, rawBytes?: number): Promise<Uint8Array> {
  const header = structuredClone(snapshot.header);
  header.body.bytes = body.length;
  header.body.sha256 = await sha256Hex(body);
  if (rawBytes !== undefined) header.body.rawBytes = rawBytes;
  return file(header, body);
}

describe("snapshotState (fuzzed)", () => {
  {
    const { title, options } = fuzz(
      "a gzip body damaged under a matching checksum: the state, or a HyperlabError; never more bytes than the header says",
      200,
    );
    it(title, async () => {
      const state = fc.oneof(
        fc.uint8Array({ maxLength: 4096 }),
        fc.nat({ max: 65536 }).map((n) => new Uint8Array(n)),
      );
      const rawBytes = fc.option(fc.oneof(fc.nat({ max: 70000 }), fc.constantFrom(0, 2 ** 31, 2 ** 53)), {
        nil: undefined,
      });
      await fc.assert(
        fc.asyncProperty(state, fc.option(byteEdits({ maxEdits: 3 })), rawBytes, async (raw, edits, claimed) => {
          const snapshot = await smallSnapshot(raw);
          const body = snapshot.bytes.subarray(snapshot.bytes.length - snapshot.header.body.bytes);
          const damaged = edits ? applyEdits(body, edits) : body;
          const bytes = await withBody(snapshot, damaged, claimed);
          const result = await outcomeOf(async () => snapshotState(readSnapshot(bytes)));
          if (result.ok) {
            expect(result.value.length).toBe(readSnapshot(bytes).header.body.rawBytes);
            if (damaged === body && claimed === undefined) expect(result.value).toEqual(raw);
          }
        }),
        options,
      );
    });
  }

  {
    const { title, options } = fuzz("the real snapshot's body damaged under a matching checksum", 5);
    it(title, async () => {
      await fc.assert(
        fc.asyncProperty(byteEdits({ maxEdits: 2 }), async (edits) => {
          const bytes = await withBody({ header: realHeader, bytes: real }, applyEdits(realBody, edits));
          const result = await outcomeOf(async () => snapshotState(readSnapshot(bytes)));
          if (result.ok) expect(result.value.length).toBe(realHeader.body.rawBytes);
        }),
        { ...options, timeout: 20_000 },
      );
    });
  }
});
