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

describe("parseManifest: what its readers use as it is (found by fuzzing)", () => {
  const refused = (edit: (image: Record<string, unknown>) => void) => {
    const bad = structuredClone(real);
    edit(bad.images[0]);
    return () => parseManifest(bad);
  };

  it("refuses drivers, ready snapshots, title or text fields of the wrong type", () => {
    // drivers "8250": the CLI's images table called drivers.join (TypeError).
    expect(refused((i) => (i.drivers = "8250"))).toThrow(/image "linux" has drivers that are not a list of names/);
    // readySnapshots {}: instant launch called readySnapshots.find (TypeError).
    expect(refused((i) => (i.readySnapshots = {}))).toThrow(/has readySnapshots that are not a list/);
    expect(refused((i) => ((i.readySnapshots as { net: unknown }[])[0].net = "e1000"))).toThrow(
      /ready snapshot 1 of "linux" has an unknown network card/,
    );
    expect(refused((i) => delete i.title)).toThrow(/image "linux" has no title/);
    expect(refused((i) => (i.prompt = 35))).toThrow(/has a prompt that is not text/);
  });

  it("refuses a file path that would leave the images folder", () => {
    for (const path of [
      "/etc/passwd",
      "https://elsewhere.example/bzImage",
      "//host/x",
      "linux/../../x",
      "./bios.bin",
      "a//b",
      "a\\b",
    ])
      expect(
        refused((i) => ((i.files as { bios: { path: string } }).bios.path = path)),
        path,
      ).toThrow(/file bios of "linux" has a bad path/);
  });
});
