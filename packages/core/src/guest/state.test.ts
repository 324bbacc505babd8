import { describe, expect, it } from "vitest";
import { ALLOWED, assertAllowed, isAllowed } from "./state.js";

describe("guest lifecycle", () => {
  it("allows pause only while running and resume only while paused", () => {
    expect(isAllowed("pause", "running")).toBe(true);
    expect(isAllowed("pause", "booting")).toBe(false);
    expect(isAllowed("resume", "paused")).toBe(true);
    expect(isAllowed("resume", "running")).toBe(false);
  });

  it("lets a stopped or crashed guest start again, never a terminated one", () => {
    expect(isAllowed("start", "stopped")).toBe(true);
    expect(isAllowed("start", "crashed")).toBe(true);
    for (const action of Object.keys(ALLOWED) as (keyof typeof ALLOWED)[])
      expect(isAllowed(action, "terminated")).toBe(false);
  });

  it("explains a refused action", () => {
    expect(() => assertAllowed("resume", "running", "web")).toThrow(
      'Cannot resume guest "web" while it is running; resume works when it is paused.',
    );
  });
});
