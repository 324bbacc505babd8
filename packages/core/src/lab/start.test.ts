/**
 * startLab refuses a bad lab before it creates a guest, and terminates what it created when a
 * later step fails. No guest boots here: `hv.create` only reads the image.
 */
import { afterEach, describe, expect, it } from "vitest";
import { GUEST_OVERHEAD_MIB } from "../admission/overhead.js";
import { HyperlabError } from "../errors.js";
import { createNodeHypervisor } from "../node/index.js";
import type { Lab } from "./lab.js";
import { startLab } from "./start.js";

/** Each guest costs its RAM and Node's overhead; the budget holds four guests of 32 MiB. */
const OVERHEAD = GUEST_OVERHEAD_MIB.node;
const cost = (ramMiB: number) => ramMiB + OVERHEAD;
const BUDGET = 4 * cost(32);
const hv = createNodeHypervisor({ memoryBudgetMiB: BUDGET, hostCores: 2 });

afterEach(async () => {
  await hv.shutdown();
});

function lab(fields: Partial<Lab> = {}): Lab {
  return {
    version: 1,
    name: "l",
    segments: [{ name: "lan", subnet: "10.0.7.0/24" }],
    guests: [
      { name: "a", image: "linux", memoryMiB: 32, net: "virtio", segment: "lan" },
      { name: "b", image: "linux", memoryMiB: 32, net: "virtio", segment: "lan" },
    ],
    ...fields,
  };
}

async function refusal(promise: Promise<unknown>): Promise<HyperlabError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(HyperlabError);
    return error as HyperlabError;
  }
  throw new Error("the lab was started");
}

const names = () => hv.guests.map((g) => g.name);

describe("startLab refuses a bad lab whole, creating nothing", () => {
  it.each([
    [
      "a duplicate guest name",
      lab({
        guests: [
          { name: "a", image: "linux" },
          { name: "a", image: "linux" },
        ],
      }),
      /Two guests are named "a"/,
    ],
    [
      "a bad guest name",
      lab({
        guests: [
          { name: "a", image: "linux" },
          { name: "b/c", image: "linux" },
        ],
      }),
      /"b\/c"/,
    ],
    [
      "overlapping subnets",
      lab({
        segments: [
          { name: "lan", subnet: "10.0.7.0/24" },
          { name: "all", subnet: "10.0.0.0/8" },
        ],
      }),
      /overlap/,
    ],
    ["a bad prefix", lab({ segments: [{ name: "lan", subnet: "10.0.7.0/31" }] }), /from \/8 to \/30/],
    [
      "an unknown flavor",
      lab({
        guests: [
          { name: "a", image: "linux" },
          { name: "b", image: "linux", flavor: "huge" },
        ],
      }),
      /flavor "huge", which the lab does not declare/,
    ],
    [
      "a bad guest spec",
      lab({
        guests: [
          { name: "a", image: "linux" },
          { name: "b", image: "linux", cap: 200 },
        ],
      }),
      /Cap/,
    ],
  ])("%s", async (_what, bad, message) => {
    const error = await refusal(startLab(hv, bad, { source: "bad.lab.json" }));
    expect(error.message).toMatch(message);
    expect(error.message.startsWith("bad.lab.json: ")).toBe(true);
    expect(hv.guests).toHaveLength(0);
  });

  it("a name taken on the hypervisor", async () => {
    await hv.create({ name: "b", image: "linux", memoryMiB: 32 });
    const error = await refusal(startLab(hv, lab()));
    expect(error.code).toBe("invalid-spec");
    expect(error.details).toMatchObject({ reason: "name-taken", name: "b", field: "guests[1].name" });
    expect(error.message).toMatch(/^lab "l": Guest "b" cannot be created/);
    expect(names()).toEqual(["b"]);
  });

  it("an image the catalog does not have", async () => {
    const error = await refusal(
      startLab(
        hv,
        lab({
          guests: [
            { name: "a", image: "linux" },
            { name: "b", image: "nope" },
          ],
        }),
      ),
    );
    expect(error.code).toBe("unknown-image");
    expect(hv.guests).toHaveLength(0);
  });

  it("more memory than the hypervisor has free, counting each guest's overhead", async () => {
    // 3 × 128 MiB of RAM fit in the budget; with what running each guest costs, two do.
    expect(3 * 128).toBeLessThan(BUDGET);
    const guests = ["a", "b", "c"].map((name) => ({ name, image: "linux", memoryMiB: 128 }));
    const error = await refusal(startLab(hv, lab({ guests })));
    expect(error.code).toBe("memory-over-budget");
    expect(error.message).toBe(
      `lab "l": The lab's 3 new guests need ${3 * cost(128)} MiB (384 MiB of RAM and ${3 * OVERHEAD} MiB to run them, ` +
        `${OVERHEAD} MiB each) but only ${BUDGET} MiB of the host's ${BUDGET} MiB are free: 2 of them fit.`,
    );
    expect(error.details).toMatchObject({ reason: "lab-memory", guests: 3, fit: 2, memoryMiB: 3 * cost(128) });
    expect(hv.guests).toHaveLength(0);
  });

  it("more guests than the hypervisor has room for with the ones it has", async () => {
    await hv.create({ name: "x", image: "linux", memoryMiB: 32 });
    await hv.create({ name: "y", image: "linux", memoryMiB: 32 });
    const guests = ["a", "b", "c"].map((name) => ({ name, image: "linux", memoryMiB: 32 }));
    const error = await refusal(startLab(hv, lab({ guests })));
    expect(error.details).toMatchObject({ reason: "lab-memory", guests: 3, fit: 2, freeMiB: BUDGET - 2 * cost(32) });
    expect(names()).toEqual(["x", "y"]);
  });

  it("more guests on a segment than its subnet has addresses for", async () => {
    // A /28 has 16 addresses; guests get .10 to .14 (.15 is the broadcast address).
    const guests = ["a", "b", "c", "d", "e", "f"].map((name) => ({
      name,
      image: "linux",
      net: "virtio" as const,
      segment: "small",
    }));
    const error = await refusal(startLab(hv, lab({ segments: [{ name: "small", subnet: "10.0.9.0/28" }], guests })));
    expect(error.code).toBe("segment-full");
    expect(error.message).toBe(
      'lab "l": Segment "small" (10.0.9.0/28) has addresses for 5 guests (10.0.9.10 to 10.0.9.14), but 6 would be on it; ' +
        "give it a larger subnet or split the guests over more segments.",
    );
    expect(error.details).toMatchObject({ reason: "lab-addresses", segment: "small", capacity: 5, guests: 6 });
    expect(hv.guests).toHaveLength(0);
  });

  it("a segment with guests on it already and too few addresses left", async () => {
    // Addresses are checked before memory: these four fill the budget as well.
    hv.network.defineSegment("tiny", "10.0.10.0/28");
    for (const name of ["x", "y", "z", "w"])
      await hv.create({ name, image: "linux", net: "ne2k" }, undefined, { segment: "tiny" });
    const guests = ["a", "b"].map((name) => ({ name, image: "linux", net: "virtio" as const, segment: "tiny" }));
    const error = await refusal(startLab(hv, lab({ segments: [{ name: "tiny" }], guests })));
    expect(error.code).toBe("segment-full");
    expect(error.details).toMatchObject({ segment: "tiny", subnet: "10.0.10.0/28", capacity: 5, guests: 6 });
    expect(error.message).toMatch(/but 6 would be on it \(4 of them there already\)/);
    expect(names()).toEqual(["x", "y", "z", "w"]);
  });

  it("a segment whose guests sit on another subnet", async () => {
    const other = await hv.create({ name: "x", image: "linux", memoryMiB: 32, net: "virtio" });
    hv.network.defineSegment("lan", "10.0.8.0/24");
    hv.network.setSegment(other, "lan");
    const error = await refusal(startLab(hv, lab()));
    expect(error.code).toBe("invalid-state");
    expect(error.message).toMatch(/Segment "lan" has guests on 10\.0\.8\.0\/24/);
    expect(names()).toEqual(["x"]);
  });
});

describe("startLab after the checks", () => {
  it("terminates the guests it created when a step fails, and leaves adopted ones", async () => {
    await hv.create({ name: "a", image: "linux", memoryMiB: 32, net: "virtio" });
    const stages: string[] = [];
    const error = await refusal(
      startLab(hv, lab({ guests: [...lab().guests, { name: "c", image: "linux", memoryMiB: 32 }] }), {
        adopt: true,
        onProgress: ({ stage, guest }) => {
          stages.push(`${stage} ${guest.name}`);
          if (guest.name === "c") throw new HyperlabError("invalid-state", "stop here");
        },
      }),
    );
    expect(error.message).toBe("stop here");
    expect(stages).toEqual(["created b", "created c"]);
    expect(names()).toEqual(["a"]);
  });
});
