/**
 * Fuzzing what the image layer reads from outside: the catalog's manifest (served over HTTP or
 * read from a folder) and the files users bring (any bytes, any name). Mutations start from the
 * real manifest (images/manifest.json) and from real boot-sector, bzImage and ISO 9660 headers.
 */
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fuzz, mutatedJson, outcome, edgyJson, applyEdits, byteEdits } from "../testing/fuzz.js";
import { checkReadyPattern, checkUserImage, detectImageKind } from "./detect.js";
import { parseManifest, type Manifest } from "./manifest.js";
import { readySnapshotFile } from "./ready.js";

const real = JSON.parse(readFileSync(new URL("../../../../images/manifest.json", import.meta.url), "utf8"));
const bzImageHead = readFileSync(new URL("../../../../images/linux/bzImage", import.meta.url)).subarray(0, 1024);

const SHA256 = /^[0-9a-f]{64}$/;
const isText = (value: unknown) => typeof value === "string";

/** What every manifest parseManifest accepts must be (manifest.ts's types), and what its readers rely on. */
function expectManifestAsDocumented(manifest: Manifest): void {
  expect(manifest.version).toBe(1);
  for (const image of manifest.images) {
    expect(image.id).toMatch(/^[a-z0-9][a-z0-9-]*$/);
    expect(isText(image.title)).toBe(true);
    expect(["bzimage", "iso", "disk"]).toContain(image.kind);
    for (const field of ["description", "cmdline", "readyMarker", "prompt"] as const)
      if (image[field] !== undefined) expect(isText(image[field])).toBe(true);
    if (image.cursorQuery !== undefined) expect(typeof image.cursorQuery).toBe("boolean");
    expect(Array.isArray(image.drivers) && image.drivers.every(isText)).toBe(true);
    const files = [...Object.values(image.files), ...(image.readySnapshots ?? [])];
    for (const file of files) {
      if (!file) continue;
      expect(isText(file.path) && !file.path.split("/").includes("..")).toBe(true);
      // A path names a file under images/: not another folder, host or scheme.
      expect(file.path).not.toMatch(/^\/|:|\\/);
      expect(Number.isSafeInteger(file.size) && file.size > 0).toBe(true);
      expect(file.sha256).toMatch(SHA256);
    }
    expect(Number.isInteger(image.minMemoryMiB) && image.defaultMemoryMiB >= image.minMemoryMiB).toBe(true);
    if (image.readySnapshots !== undefined) expect(Array.isArray(image.readySnapshots)).toBe(true);
    if (image.sources !== undefined) expect(Object.values(image.sources).every(isText)).toBe(true);
    // What the catalog, the CLI's images table and instant launch do with an entry.
    expect(() => image.drivers.join(",")).not.toThrow();
    expect(() =>
      readySnapshotFile(image, { memoryMiB: 32, console: "both", net: "none", balloon: false }),
    ).not.toThrow();
  }
}

function check(value: unknown): void {
  const result = outcome(() => parseManifest(value));
  if (result.ok) expectManifestAsDocumented(result.value);
}

describe("parseManifest (fuzzed)", () => {
  {
    const { title, options } = fuzz("any JSON value", 2000);
    it(title, () => {
      fc.assert(fc.property(edgyJson(), check), options);
    });
  }

  {
    const { title, options } = fuzz("the real manifest with fields replaced, removed, added or duplicated", 2500);
    it(title, () => {
      fc.assert(fc.property(mutatedJson(real, 4), check), options);
    });
  }

  {
    const { title, options } = fuzz("the real manifest's text with its bytes damaged", 1000);
    it(title, () => {
      const text = new TextEncoder().encode(JSON.stringify(real));
      fc.assert(
        fc.property(byteEdits({ maxEdits: 3 }), (edits) => {
          let value: unknown;
          try {
            value = JSON.parse(new TextDecoder().decode(applyEdits(text, edits)));
          } catch {
            return; // The sources parse JSON first and refuse what is not (image-missing).
          }
          check(value);
        }),
        options,
      );
    });
  }
});

/** A file of `size` bytes with these bytes at these offsets (the rest zero). */
function fileWith(size: number, parts: [number, Uint8Array | number[]][]): Uint8Array {
  const out = new Uint8Array(size);
  for (const [at, bytes] of parts) if (at < size) out.set(Array.from(bytes).slice(0, size - at), at);
  return out;
}

const text = (s: string) => Array.from(s, (c) => c.charCodeAt(0));
/** The three kinds as detectImageKind tells them, each with room around its signature. */
const realHeads: Uint8Array[] = [
  fileWith(2048, [[0, bzImageHead]]),
  fileWith(0x8800, [[0x8001, text("CD001")]]),
  fileWith(1024, [[510, [0x55, 0xaa]]]),
];

describe("detectImageKind and checkUserImage (fuzzed)", () => {
  {
    const { title, options } = fuzz("any bytes and name: a kind, or not-bootable with a sentence", 3000);
    it(title, () => {
      const bytes = fc.oneof(
        fc.uint8Array({ maxLength: 1100 }),
        fc.constantFrom(...realHeads).chain((head) => byteEdits({ maxEdits: 4 }).map((e) => applyEdits(head, e))),
      );
      const expected = fc.option(fc.constantFrom("bzimage" as const, "iso" as const, "disk" as const), {
        nil: undefined,
      });
      fc.assert(
        fc.property(bytes, fc.string(), expected, (file, name, kind) => {
          const detected = outcome(() => detectImageKind(file));
          expect(detected.ok).toBe(true);
          const result = outcome(() => checkUserImage(name, file, kind));
          if (result.ok) {
            expect(result.value).toBe(detected.ok && detected.value);
            if (kind) expect(result.value).toBe(kind);
          } else expect(result.error.code).toBe("not-bootable");
        }),
        options,
      );
    });
  }

  {
    const { title, options } = fuzz("any ready pattern a user gives: the pattern, or invalid-spec", 2000);
    it(title, () => {
      fc.assert(
        fc.property(
          fc.oneof(fc.string({ maxLength: 250 }), fc.stringMatching(/^[()[\]{}*+?\\^$|.a-z]{0,20}$/), edgyJson()),
          (pattern) => {
            const result = outcome(() => checkReadyPattern(pattern));
            if (result.ok && result.value !== undefined) expect(() => new RegExp(result.value!)).not.toThrow();
          },
        ),
        options,
      );
    });
  }
});
