import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseManifest } from "./manifest.js";

const real = JSON.parse(readFileSync(new URL("../../../../images/manifest.json", import.meta.url), "utf8"));

describe("parseManifest", () => {
  it("reads the project's manifest: the default image's shell asks for the cursor position", () => {
    const linux = parseManifest(real).images.find((image) => image.id === "linux");
    expect(linux?.readyMarker).toBe("hyperlab: ready");
    expect(linux?.cursorQuery).toBe(true);
  });

  it("refuses a cursorQuery that is not a boolean, naming the image", () => {
    const bad = structuredClone(real);
    bad.images[0].cursorQuery = "yes";
    expect(() => parseManifest(bad)).toThrow(/image "linux" has a cursorQuery that is not true or false/);
  });
});
