/**
 * startLab refuses a bad lab before it creates a guest, and terminates what it created when a
 * later step fails. No guest boots here: `hv.create` only reads the image.
 */
import { afterEach, describe, expect, it } from "vitest";
import { HyperlabError } from "../errors.js";
import { createNodeHypervisor } from "../node/index.js";
import type { Lab } from "./lab.js";
import { startLab } from "./start.js";

const hv = createNodeHypervisor({ memoryBudgetMiB: 256, hostCores: 2 });

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

  it("more memory than the hypervisor has free", async () => {
    const guests = ["a", "b", "c"].map((name) => ({ name, image: "linux", memoryMiB: 128 }));
    const error = await refusal(startLab(hv, lab({ guests })));
    expect(error.code).toBe("memory-over-budget");
    expect(error.message).toMatch(/need 384 MiB but only 256 MiB/);
    expect(hv.guests).toHaveLength(0);
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
