/**
 * Fuzzing lab files: any text given to `hyperlab up` or bundled with a lesson, and any value a
 * caller hands startLab, is a checked lab or a HyperlabError with a sentence. Mutations start
 * from the real labs (packages/core/labs and the lessons' labs in apps/web).
 */
import { readdirSync, readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseSubnet } from "../network/dhcp.js";
import { isName, isPowerOfTwo, MAX_MEMORY_MIB } from "../spec.js";
import { applyEdits, byteEdits, edgyJson, fuzz, mutatedJson, outcome } from "../testing/fuzz.js";
import { parseLab, validateLab, type Lab } from "./lab.js";

const folders = [
  new URL("../../labs/", import.meta.url),
  new URL("../../../../apps/web/src/lessons/labs/", import.meta.url),
];
const texts = folders.flatMap((folder) =>
  readdirSync(folder)
    .filter((name) => name.endsWith(".lab.json"))
    .map((name) => readFileSync(new URL(name, folder), "utf8")),
);
const labs: unknown[] = texts.map((text) => JSON.parse(text));

const GUEST_KEYS = [
  ...["name", "image", "flavor", "memoryMiB", "console", "net", "weight", "cap", "balloon", "segment", "groups"],
];

/** What every lab validateLab returns must be (lab.ts's Lab type, and the spec's rules). */
function expectLabAsDocumented(lab: Lab): void {
  expect(lab.version).toBe(1);
  expect(isName(lab.name)).toBe(true);
  for (const text of [lab.title, lab.description]) if (text !== undefined) expect(typeof text).toBe("string");
  const segments = lab.segments.map((s) => s.name);
  expect(new Set(segments).size).toBe(segments.length);
  for (const segment of lab.segments) {
    expect(isName(segment.name)).toBe(true);
    if (segment.subnet !== undefined) expect(() => parseSubnet(segment.subnet!)).not.toThrow();
  }
  const flavors = (lab.flavors ?? []).map((f) => f.name);
  expect(lab.guests.length).toBeGreaterThan(0);
  expect(new Set(lab.guests.map((g) => g.name)).size).toBe(lab.guests.length);
  for (const guest of lab.guests) {
    for (const key of Object.keys(guest)) expect(GUEST_KEYS).toContain(key);
    expect(isName(guest.name)).toBe(true);
    expect(typeof guest.image === "string" && guest.image.length > 0).toBe(true);
    if (guest.memoryMiB !== undefined)
      expect(isPowerOfTwo(guest.memoryMiB) && guest.memoryMiB <= MAX_MEMORY_MIB).toBe(true);
    if (guest.console !== undefined) expect(["serial", "virtio", "both"]).toContain(guest.console);
    if (guest.net !== undefined) expect(["none", "ne2k", "virtio"]).toContain(guest.net);
    if (guest.balloon !== undefined) expect(typeof guest.balloon).toBe("boolean");
    if (guest.weight !== undefined) expect(Number.isInteger(guest.weight)).toBe(true);
    if (guest.cap !== undefined) expect(typeof guest.cap).toBe("number");
    if (guest.segment !== undefined) expect(segments).toContain(guest.segment);
    if (guest.flavor !== undefined) expect(flavors).toContain(guest.flavor);
  }
  const groups = (lab.securityGroups ?? []).map((g) => g.name);
  expect(new Set(groups).size).toBe(groups.length);
  for (const group of lab.securityGroups ?? []) {
    expect(isName(group.name)).toBe(true);
    for (const rule of group.rules) {
      expect(["icmp", "tcp", "udp", "any"]).toContain(rule.protocol);
      expect(typeof rule.source).toBe("string");
      if (rule.ports !== undefined) expect(rule.ports).toMatch(/^\d{1,5}(-\d{1,5})?$/);
    }
  }
  for (const guest of lab.guests) for (const name of guest.groups ?? []) expect(groups).toContain(name);
  // Checking a checked lab again gives the same lab (validateLab's promise).
  expect(validateLab(structuredClone(lab))).toEqual(lab);
}

function check(parse: () => Lab): void {
  const result = outcome(parse);
  if (result.ok) expectLabAsDocumented(result.value);
}

describe("parseLab (fuzzed)", () => {
  {
    const { title, options } = fuzz("any text", 2000);
    it(title, () => {
      fc.assert(
        fc.property(fc.string({ unit: "binary", maxLength: 400 }), (text) => check(() => parseLab(text))),
        options,
      );
    });
  }

  {
    const { title, options } = fuzz("any JSON value", 2000);
    it(title, () => {
      fc.assert(
        fc.property(edgyJson(), (value) => check(() => parseLab(JSON.stringify(value) ?? ""))),
        options,
      );
    });
  }

  {
    const { title, options } = fuzz("the real labs with fields replaced, removed, added or duplicated", 2000);
    it(title, () => {
      const mutated = fc.constantFrom(...labs).chain((lab) => mutatedJson(lab, 4));
      fc.assert(
        fc.property(mutated, (value) => check(() => parseLab(JSON.stringify(value) ?? "", "fuzzed.lab.json"))),
        options,
      );
    });
  }

  {
    const { title, options } = fuzz("the real lab files with their bytes damaged", 1000);
    it(title, () => {
      const files = texts.map((text) => new TextEncoder().encode(text));
      fc.assert(
        fc.property(fc.nat({ max: files.length - 1 }), byteEdits({ maxEdits: 3 }), (which, edits) => {
          const text = new TextDecoder().decode(applyEdits(files[which], edits));
          check(() => parseLab(text));
        }),
        options,
      );
    });
  }
});

describe("validateLab (fuzzed)", () => {
  {
    const { title, options } = fuzz("any JavaScript value a caller could pass (bigints, null prototypes, dates)", 2000);
    it(title, () => {
      const anything = fc.anything({
        withBigInt: true,
        withDate: true,
        withMap: true,
        withSet: true,
        withNullPrototype: true,
        withTypedArray: true,
        withSparseArray: true,
        withBoxedValues: true,
        maxDepth: 3,
      });
      // As a whole lab, and in the places of a real lab's fields.
      const inLab = fc.tuple(
        fc.constantFrom(...labs),
        fc.constantFrom("version", "name", "guests", "segments", "flavors"),
        anything,
      );
      const guestField = fc.tuple(fc.constantFrom(...GUEST_KEYS), anything);
      fc.assert(
        fc.property(anything, inLab, guestField, (value, [lab, key, inner], [field, fieldValue]) => {
          check(() => validateLab(value));
          check(() => validateLab({ ...(lab as object), [key]: inner }));
          const guest = { ...((lab as Lab).guests[0] as object), [field]: fieldValue };
          check(() => validateLab({ ...(lab as object), guests: [guest] }));
        }),
        options,
      );
    });
  }
});
