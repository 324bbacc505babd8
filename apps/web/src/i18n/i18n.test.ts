import { describe, expect, it } from "vitest";
import { en } from "./en";
import { format, placeholders } from "./format";
import { ru } from "./ru";

describe("dictionaries", () => {
  it("have exactly the same keys in English and Russian", () => {
    expect(Object.keys(ru).sort()).toEqual(Object.keys(en).sort());
  });

  it("use the same placeholders in both languages", () => {
    for (const key of Object.keys(en) as (keyof typeof en)[])
      expect(placeholders(ru[key]), key).toEqual(placeholders(en[key]));
  });

  it("leave no text empty", () => {
    for (const [key, text] of [...Object.entries(en), ...Object.entries(ru)]) expect(text.trim(), key).not.toBe("");
  });

  it("translate the interface (Russian text is not English copied over)", () => {
    const same = Object.keys(en).filter((key) => ru[key as keyof typeof en] === en[key as keyof typeof en]);
    // Names, units and device names may be the same in both languages; the rest must not.
    expect(same.length).toBeLessThan(Object.keys(en).length / 10);
  });
});

describe("format", () => {
  it("fills placeholders and leaves unknown ones visible", () => {
    expect(format("{used} of {budget} MiB", { used: 64, budget: 1024 })).toBe("64 of 1024 MiB");
    expect(format("hello {who}")).toBe("hello {who}");
  });
});
