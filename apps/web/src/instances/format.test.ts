import { describe, expect, it } from "vitest";
import { figure, formatMips, formatUptime } from "./format";

describe("formatUptime", () => {
  it("shows minutes and seconds, hours when needed", () => {
    expect(formatUptime(0)).toBe("0:00");
    expect(formatUptime(65_000)).toBe("1:05");
    expect(formatUptime(3_725_000)).toBe("1:02:05");
  });
});

describe("formatMips", () => {
  it("keeps a decimal for small figures", () => {
    expect(formatMips(0.42)).toBe("0.4");
    expect(formatMips(250.4)).toBe("250");
    expect(formatMips(undefined)).toBe("—");
    expect(figure(Number.NaN)).toBe("—");
  });
});
