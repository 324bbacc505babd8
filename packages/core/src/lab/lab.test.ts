import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { HyperlabError } from "../errors.js";
import { guestSpec, parseLab } from "./lab.js";

const lab = (fields: Record<string, unknown> = {}) =>
  JSON.stringify({ version: 1, name: "l", guests: [{ name: "a", image: "linux" }], ...fields });

function refusal(text: string): HyperlabError {
  try {
    parseLab(text, "my.lab.json");
  } catch (error) {
    expect(error).toBeInstanceOf(HyperlabError);
    return error as HyperlabError;
  }
  throw new Error("the lab was accepted");
}

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
});
