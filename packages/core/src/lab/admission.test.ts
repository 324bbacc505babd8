/**
 * A lab's addresses, checked with the lab alone (parseLab): each segment's subnet must have an
 * address for every guest the lab puts on it. The checks against a hypervisor (guests already
 * on a segment, memory with overhead) are in start.test.ts.
 */
import { describe, expect, it } from "vitest";
import { refusalOf } from "../testing/refusal.js";
import { parseLab, type LabGuest } from "./lab.js";

const guests = (count: number, fields: Partial<LabGuest> = {}) =>
  Array.from({ length: count }, (_, i) => ({ name: `g${i + 1}`, image: "linux", net: "virtio", ...fields }));

const refusal = (lab: object) =>
  refusalOf(() => parseLab(JSON.stringify({ version: 1, name: "big", ...lab }), "big.lab.json"));

describe("a lab's addresses", () => {
  it("refuses 400 guests on one /24, naming the rule and the numbers (it used to stop with an internal error)", () => {
    const error = refusal({
      segments: [{ name: "lan", subnet: "10.0.1.0/24" }],
      guests: guests(400, { segment: "lan" }),
    });
    expect(error.code).toBe("segment-full");
    expect(error.message).toBe(
      'big.lab.json: Segment "lan" (10.0.1.0/24) has addresses for 245 guests (10.0.1.10 to 10.0.1.254), but 400 would be ' +
        "on it; give it a larger subnet or split the guests over more segments.",
    );
    expect(error.details).toEqual({
      reason: "lab-addresses",
      segment: "lan",
      subnet: "10.0.1.0/24",
      capacity: 245,
      guests: 400,
      field: "segments[0].subnet",
      source: "big.lab.json",
    });
  });

  it("takes as many guests as the subnet has addresses from .10, and counts each segment apart", () => {
    const lab = parseLab(
      JSON.stringify({
        version: 1,
        name: "full",
        segments: [{ name: "lan", subnet: "10.0.1.0/24" }, { name: "wide", subnet: "10.1.0.0/16" }, { name: "auto" }],
        guests: [
          ...guests(245, { segment: "lan" }),
          ...guests(400, { segment: "wide" }).map((g) => ({ ...g, name: `w${g.name}` })),
          ...guests(245, { segment: "auto" }).map((g) => ({ ...g, name: `a${g.name}` })),
        ],
      }),
    );
    expect(lab.guests).toHaveLength(890);
  });

  it("counts guests without a segment on the default one (10.0.0.0/24), and guests without a NIC nowhere", () => {
    const error = refusal({ guests: guests(246) });
    expect(error.details).toMatchObject({ reason: "lab-addresses", segment: "default", capacity: 245, guests: 246 });
    expect(error.message).toMatch(/Segment "default" gets a new \/24, with addresses for 245 guests, but 246/);
    expect(() =>
      parseLab(JSON.stringify({ version: 1, name: "quiet", guests: guests(300, { net: "none" }) })),
    ).not.toThrow();
  });

  it("refuses guests on a subnet too small to have addresses from .10", () => {
    const error = refusal({
      segments: [{ name: "p2p", subnet: "10.0.1.0/29" }],
      guests: guests(1, { segment: "p2p" }),
    });
    expect(error.details).toMatchObject({ capacity: 0, guests: 1 });
    expect(error.message).toMatch(/has addresses for 0 guests \(guests' addresses start at \.10\)/);
  });
});
