import { describe, expect, it } from "vitest";
import { HyperlabError } from "./errors.js";
import { checkSpecAgainstImage, isName, validateSpec } from "./spec.js";

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof HyperlabError ? error.code : "not-typed";
  }
  return undefined;
}

describe("validateSpec", () => {
  it("fills in defaults", () => {
    const spec = validateSpec({ image: "linux" }, "g");
    expect(spec).toMatchObject({ name: "g", console: "both", net: "none", weight: 256, cap: 0, balloon: false });
  });

  it("refuses with a sentence values it cannot print as they are: a symbol, an object without a prototype", () => {
    // RegExp.test(symbol) and String(Object.create(null)) threw TypeErrors (found by fuzzing validateLab).
    expect(codeOf(() => validateSpec({ image: "linux", mac: Symbol("m") as unknown as string }))).toBe("invalid-spec");
    expect(codeOf(() => validateSpec({ image: "linux", cap: Object.create(null) }))).toBe("invalid-spec");
    expect(codeOf(() => validateSpec({ image: "linux", console: Object.create(null) }))).toBe("invalid-spec");
  });

  it("refuses memory that is not a power of two", () => {
    expect(codeOf(() => validateSpec({ image: "linux", memoryMiB: 48 }))).toBe("memory-not-power-of-two");
  });

  it.each([
    [{ image: "" }, "invalid-spec"],
    [{ image: "linux", memoryMiB: -1 }, "invalid-spec"],
    [{ image: "linux", memoryMiB: 4096 }, "invalid-spec"],
    [{ image: "linux", console: "vga" }, "invalid-spec"],
    [{ image: "linux", net: "e1000" }, "invalid-spec"],
    [{ image: "linux", weight: 0 }, "invalid-spec"],
    [{ image: "linux", cap: 150 }, "invalid-spec"],
    [{ image: "linux", name: "a b" }, "invalid-spec"],
    [{ image: "linux", mac: "00:11:22" }, "invalid-spec"],
  ])("refuses %j with %s", (spec, code) => {
    expect(codeOf(() => validateSpec(spec as never))).toBe(code);
  });

  it("enforces the image's minimum memory and default", () => {
    const image = { id: "linux", minMemoryMiB: 32, defaultMemoryMiB: 64 };
    expect(checkSpecAgainstImage(validateSpec({ image: "linux" }), image).memoryMiB).toBe(64);
    expect(codeOf(() => checkSpecAgainstImage(validateSpec({ image: "linux", memoryMiB: 16 }), image))).toBe(
      "memory-too-small",
    );
  });

  it("says what is wrong in a sentence", () => {
    try {
      validateSpec({ image: "linux", memoryMiB: 48 });
    } catch (error) {
      expect((error as Error).message).toBe("Memory must be a power of two (16, 32, 64, 128, … MiB); 48 MiB is not.");
    }
  });
});

describe("isName", () => {
  it("is the one rule for guest, segment, flavor and lab names", () => {
    for (const name of ["a", "web-1", "a.b_c", "9", "x".repeat(63)]) expect(isName(name)).toBe(true);
    for (const name of ["", "-a", ".a", "a b", "a/b", "x".repeat(64), 7, undefined]) expect(isName(name)).toBe(false);
  });
});
