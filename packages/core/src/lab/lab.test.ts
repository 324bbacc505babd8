import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { HyperlabError } from "../errors.js";
import { refusalOf } from "../testing/refusal.js";
import { guestSpec, parseLab, validateLab } from "./lab.js";

const lab = (fields: Record<string, unknown> = {}) =>
  JSON.stringify({ version: 1, name: "l", guests: [{ name: "a", image: "linux" }], ...fields });

const refusal = (text: string) => refusalOf(() => parseLab(text, "my.lab.json"));

describe("parseLab", () => {
  it("reads a minimal lab and leaves defaults to the guest spec", () => {
    expect(parseLab(lab())).toEqual({ version: 1, name: "l", guests: [{ name: "a", image: "linux" }], segments: [] });
  });

  it("reads the example labs", () => {
    const three = parseLab(readFileSync(new URL("../../labs/three-guests.lab.json", import.meta.url), "utf8"));
    expect(three.guests.map((g) => [g.name, g.memoryMiB, g.weight])).toEqual([
      ["a", 32, 256],
      ["b", 32, 512],
      ["c", 32, 1024],
    ]);
    const pair = parseLab(readFileSync(new URL("../../labs/pair.lab.json", import.meta.url), "utf8"));
    expect(pair.segments).toEqual([{ name: "lan", subnet: "10.0.1.0/24" }]);
    expect(pair.guests.every((g) => g.net === "virtio" && g.segment === "lan")).toBe(true);
  });

  it("turns a lab guest into a guest spec without its segment", () => {
    expect(guestSpec({ name: "a", image: "linux", net: "virtio", segment: "lan" })).toEqual({
      name: "a",
      image: "linux",
      net: "virtio",
    });
  });

  it.each([
    ["not JSON", "{", /my\.lab\.json: not valid JSON/],
    ["a list", "[]", /must be a JSON object/],
    ["a wrong version", lab({ version: 2 }), /version 2 is not one/],
    ["an unknown top-level key", lab({ guest: [] }), /The lab has an unknown field "guest"/],
    ["no guests", lab({ guests: [] }), /at least one guest/],
    ["a guest without an image", lab({ guests: [{ name: "a" }] }), /Guest "a" needs "image"/],
    ["a guest without a name", lab({ guests: [{ image: "linux" }] }), /Guest 1 needs "name"/],
    [
      "an unknown guest key",
      lab({ guests: [{ name: "a", image: "linux", ram: 32 }] }),
      /Guest "a" has an unknown field "ram"/,
    ],
    [
      "a duplicate guest",
      lab({
        guests: [
          { name: "a", image: "linux" },
          { name: "a", image: "linux" },
        ],
      }),
      /Two guests are named "a"/,
    ],
    ["a bad console", lab({ guests: [{ name: "a", image: "linux", console: "vga" }] }), /Guest "a": Console must be/],
    ["a bad weight", lab({ guests: [{ name: "a", image: "linux", weight: 0 }] }), /Guest "a": Weight/],
    ["a non-boolean balloon", lab({ guests: [{ name: "a", image: "linux", balloon: "yes" }] }), /balloon "yes"/],
    [
      "an undeclared segment",
      lab({ guests: [{ name: "a", image: "linux", net: "virtio", segment: "lan" }] }),
      /segment "lan", which the lab does not declare/,
    ],
    [
      "a segment without a NIC",
      lab({ segments: [{ name: "lan" }], guests: [{ name: "a", image: "linux", segment: "lan" }] }),
      /has no network card/,
    ],
    ["a bad subnet", lab({ segments: [{ name: "lan", subnet: "10.0.300.0/24" }] }), /subnet "10\.0\.300\.0\/24"/],
    [
      "an unknown segment key",
      lab({ segments: [{ name: "lan", vlan: 3 }] }),
      /Segment "lan" has an unknown field "vlan"/,
    ],
    ["a duplicate segment", lab({ segments: [{ name: "lan" }, { name: "lan" }] }), /Two segments are named "lan"/],
  ])("refuses %s with invalid-spec", (_what, text, message) => {
    const error = refusal(text);
    expect(error.code).toBe("invalid-spec");
    expect(error.message).toMatch(message);
    expect(error.message.startsWith("my.lab.json: ")).toBe(true);
  });

  it("gives guests their flavor's size unless they name their own", () => {
    const parsed = parseLab(
      lab({
        flavors: [{ name: "nano", memoryMiB: 32, weight: 256, cap: 50 }],
        guests: [
          { name: "a", image: "linux", flavor: "nano" },
          { name: "b", image: "linux", flavor: "nano", cap: 0 },
        ],
      }),
    );
    expect(parsed.flavors).toEqual([{ name: "nano", memoryMiB: 32, weight: 256, cap: 50 }]);
    expect(parsed.guests[0]).toEqual({
      name: "a",
      image: "linux",
      flavor: "nano",
      memoryMiB: 32,
      weight: 256,
      cap: 50,
    });
    expect(parsed.guests[1].cap).toBe(0);
    expect(guestSpec(parsed.guests[0])).toEqual({ name: "a", image: "linux", memoryMiB: 32, weight: 256, cap: 50 });
  });

  it.each([
    ["an undeclared flavor", lab({ guests: [{ name: "a", image: "linux", flavor: "huge" }] }), /flavor "huge", which/],
    ["a flavor without memory", lab({ flavors: [{ name: "nano" }] }), /Flavor "nano" needs "memoryMiB"/],
    [
      "a duplicate flavor",
      lab({
        flavors: [
          { name: "x", memoryMiB: 32 },
          { name: "x", memoryMiB: 64 },
        ],
      }),
      /Two flavors/,
    ],
  ])("refuses %s", (_what, text, message) => {
    expect(refusal(text).message).toMatch(message);
  });

  it("keeps the core's own code for a guest's memory", () => {
    const error = refusal(lab({ guests: [{ name: "a", image: "linux", memoryMiB: 48 }] }));
    expect(error.code).toBe("memory-not-power-of-two");
    expect(error.message).toMatch(/Guest "a": Memory must be a power of two/);
    expect(error.details).toMatchObject({ guest: "a" });
  });

  it("reads a lab it has read before to the same lab", () => {
    const parsed = parseLab(
      lab({
        flavors: [{ name: "nano", memoryMiB: 32, cap: 50 }],
        segments: [{ name: "lan", subnet: "10.0.1.0/24" }],
        guests: [{ name: "a", image: "linux", flavor: "nano", net: "virtio", segment: "lan" }],
      }),
    );
    expect(validateLab(parsed)).toEqual(parsed);
  });
});

describe("a lab is checked whole", () => {
  it.each([
    [
      "a guest name with a space",
      lab({ guests: [{ name: "a b", image: "linux" }] }),
      /Guest 1 has the name "a b"; use 1–63/,
    ],
    ["a guest name too long", lab({ guests: [{ name: "x".repeat(64), image: "linux" }] }), /has the name "x{64}"/],
    ["a segment name starting with a dash", lab({ segments: [{ name: "-lan" }] }), /Segment 1 has the name "-lan"/],
    ["a bad lab name", lab({ name: "my lab" }), /The lab has the name "my lab"/],
    [
      "a duplicate guest among others",
      lab({
        guests: [
          { name: "a", image: "linux" },
          { name: "b", image: "linux" },
          { name: "a", image: "linux" },
        ],
      }),
      /Two guests are named "a"/,
    ],
    [
      "overlapping subnets",
      lab({
        segments: [
          { name: "wide", subnet: "10.0.0.0/16" },
          { name: "lan", subnet: "10.0.1.0/24" },
        ],
      }),
      /Segments "wide" \(10\.0\.0\.0\/16\) and "lan" \(10\.0\.1\.0\/24\) overlap/,
    ],
    [
      "the same subnet twice, written differently",
      lab({
        segments: [
          { name: "a", subnet: "10.0.1.0/24" },
          { name: "b", subnet: "10.0.1.128/24" },
        ],
      }),
      /overlap/,
    ],
    ["a /31 subnet", lab({ segments: [{ name: "lan", subnet: "10.0.1.0/31" }] }), /from \/8 to \/30/],
    ["a /4 subnet", lab({ segments: [{ name: "lan", subnet: "16.0.0.0/4" }] }), /from \/8 to \/30/],
    ["a subnet with an empty octet", lab({ segments: [{ name: "lan", subnet: "10..1.0/24" }] }), /subnet "10\.\.1/],
    ["a subnet without a prefix", lab({ segments: [{ name: "lan", subnet: "10.0.1.0" }] }), /IPv4 CIDR/],
    ["an unknown flavor", lab({ guests: [{ name: "a", image: "linux", flavor: "tiny" }] }), /flavors: none/],
    ["a flavor's bad weight", lab({ flavors: [{ name: "x", memoryMiB: 32, weight: 0 }] }), /Flavor "x": Weight/],
  ])("refuses %s", (_what, text, message) => {
    const error = refusal(text);
    expect(error.message).toMatch(message);
    expect(error.message.startsWith("my.lab.json: ")).toBe(true);
  });

  it("keeps the core's code for a flavor no guest could have, even unused", () => {
    const error = refusal(lab({ flavors: [{ name: "odd", memoryMiB: 48 }] }));
    expect(error.code).toBe("memory-not-power-of-two");
    expect(error.message).toMatch(/Flavor "odd": Memory must be a power of two/);
    expect(error.details).toMatchObject({ flavor: "odd" });
  });

  it("accepts subnets side by side and the widest and narrowest prefixes", () => {
    const parsed = parseLab(
      lab({
        segments: [
          { name: "a", subnet: "10.0.0.0/8" },
          { name: "b", subnet: "192.168.1.0/30" },
          { name: "c", subnet: "192.168.1.4/30" },
          { name: "d" },
        ],
      }),
    );
    expect(parsed.segments.map((s) => s.subnet)).toEqual(["10.0.0.0/8", "192.168.1.0/30", "192.168.1.4/30", undefined]);
  });

  it("refuses a field given as null instead of taking it as the default and carrying null (found by fuzzing)", () => {
    const nullCap = refusal(lab({ flavors: [{ name: "nano", memoryMiB: 32, cap: null }] }));
    expect(nullCap.details).toMatchObject({ field: "flavors[0].cap" });
    expect(nullCap.message).toMatch(/Flavor "nano" has "cap": null; leave the field out for its default/);
    const nullMemory = refusal(lab({ guests: [{ name: "a", image: "linux", memoryMiB: null }] }));
    expect(nullMemory.details).toMatchObject({ field: "guests[0].memoryMiB" });
  });

  it("refuses with a sentence what only a caller can pass: bigints, sparse lists, objects without a prototype (found by fuzzing)", () => {
    const base = { version: 1, name: "l", guests: [{ name: "a", image: "linux" }] };
    const bare = Object.assign(Object.create(null), { much: 1 });
    for (const value of [
      { ...base, version: 1n }, // JSON.stringify threw "Do not know how to serialize a BigInt"
      // eslint-disable-next-line no-sparse-arrays
      { ...base, segments: [, { name: "lan" }] }, // map skipped the hole: "Cannot destructure property 'name'"
      { ...base, guests: [{ name: "a", image: "linux", balloon: [0n] }] },
      { ...base, flavors: [{ name: "f", memoryMiB: 32, weight: bare }] }, // String(bare) threw
      // A hole in a guest's groups was skipped by some() and the lab accepted with it.
      // eslint-disable-next-line no-sparse-arrays
      { ...base, securityGroups: [], guests: [{ name: "a", image: "linux", net: "virtio", groups: [,] }] },
    ])
      expect(() => validateLab(value, "code")).toThrow(HyperlabError);
  });

  it("checks a lab built in code as it checks a file", () => {
    expect(() => validateLab({ version: 1, name: "l", guests: [], segments: [] }, "code")).toThrow(
      /code: "guests" must be a list with at least one guest/,
    );
  });
});
