import { flavorOf, validateSpec } from "@hyperlab/core";
import { describe, expect, it } from "vitest";
import { FLAVORS, launchNames, nextAutoName, specFor } from "./flavors";

describe("specFor", () => {
  it("maps device models onto console, network and balloon", () => {
    const base = { name: "vm-1", image: "linux", flavor: FLAVORS[0] };
    expect(specFor({ ...base, model: "full" })).toMatchObject({ console: "serial", net: "ne2k", balloon: false });
    expect(specFor({ ...base, model: "paravirtual" })).toMatchObject({
      console: "virtio",
      net: "virtio",
      balloon: true,
    });
    expect(specFor({ ...base, model: "both" })).toMatchObject({ console: "both", net: "virtio" });
  });

  it("makes specs the core accepts, for every flavor", () => {
    for (const flavor of FLAVORS) {
      const spec = validateSpec(specFor({ name: "vm-1", image: "linux", flavor, model: "full" }));
      expect(spec.memoryMiB).toBe(flavor.memoryMiB);
      expect(flavorOf(FLAVORS, spec)).toBe(flavor);
    }
  });
});

describe("names", () => {
  it("picks the first free vm-N", () => {
    expect(nextAutoName([])).toBe("vm-1");
    expect(nextAutoName(["vm-1", "vm-3"])).toBe("vm-2");
  });

  it("numbers several guests and skips taken names", () => {
    expect(launchNames("web", 1, [])).toEqual(["web"]);
    expect(launchNames("web", 3, ["web-2"])).toEqual(["web-1", "web-3", "web-4"]);
    expect(launchNames("vm-2", 2, ["vm-1"])).toEqual(["vm-2", "vm-3"]);
  });
});
