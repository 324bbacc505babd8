import { describe, expect, it } from "vitest";
import { HISTORY_POINTS, polyline } from "./cpu-history.svelte";

describe("polyline", () => {
  it("puts the newest point at the right edge and 100% at the top", () => {
    expect(polyline([0, 100], 100, 50)).toBe(`${(100 - 100 / (HISTORY_POINTS - 1)).toFixed(1)},50.0 100.0,0.0`);
  });

  it("clamps values outside 0–100", () => {
    expect(polyline([150], 10, 10)).toBe("10.0,0.0");
    expect(polyline([-5], 10, 10)).toBe("10.0,10.0");
  });
});
