import { describe, expect, it } from "vitest";
import { CpuThrottle } from "./throttle.js";

/**
 * Runs a fake always-busy guest for `ms` of fake time: 1 ms slices of 100k instructions.
 * `lateMs`: how late the timer fires after a wait (Node's setTimeout is ~1 ms late or more).
 */
function simulate(share: number, ms: number, lateMs = 0): { instructions: number; throttledMs: number } {
  let now = 0;
  const throttle = new CpuThrottle(() => now);
  throttle.setShare(share);
  let instructions = 0;
  while (now < ms) {
    throttle.onSlice(1, 100_000);
    instructions += 100_000;
    now += 1;
    const wait = throttle.delayBeforeNextSlice(0);
    now += wait > 0 ? wait + lateMs : 0;
  }
  return { instructions, throttledMs: throttle.takeSample().throttledMs };
}

describe("CpuThrottle", () => {
  it("does not hold back an unlimited guest", () => {
    expect(simulate(1, 1000).instructions).toBe(1000 * 100_000);
  });

  it.each([0.1, 0.25, 0.5])("holds a busy guest to a %s share of full speed", (share) => {
    const { instructions, throttledMs } = simulate(share, 10_000);
    const measured = instructions / (10_000 * 100_000);
    expect(Math.abs(measured - share) / share).toBeLessThan(0.05);
    expect(throttledMs).toBeGreaterThan(10_000 * (1 - share) * 0.9);
  });

  it("gives a guest at least its share of time even when full speed is unknown or measured low", () => {
    let now = 0;
    const throttle = new CpuThrottle(() => now);
    throttle.setShare(0.25);
    // Idle slices that halted say nothing about full speed.
    throttle.onSlice(1, 10, true);
    let busy = 0;
    while (now < 10_000) {
      throttle.onSlice(1, 100_000, false);
      busy += 1;
      now += 1 + throttle.delayBeforeNextSlice(0);
    }
    expect(Math.abs(busy / 10_000 - 0.25) / 0.25).toBeLessThan(0.05);
  });

  it.each([
    [1 / 7, 0],
    [4 / 7, 0],
    [0.1, 2],
    [0.25, 2],
    [0.5, 2],
  ])("holds a %s share within 1%% when timers fire %s ms late", (share, lateMs) => {
    const { instructions } = simulate(share, 20_000, lateMs);
    const measured = instructions / (20_000 * 100_000);
    expect(Math.abs(measured - share) / share).toBeLessThan(0.01);
  });

  it("lets v86 sleep as long as it wants to", () => {
    const throttle = new CpuThrottle(() => 0);
    throttle.setShare(0.5);
    throttle.onSlice(1, 1000);
    expect(throttle.delayBeforeNextSlice(7)).toBeGreaterThanOrEqual(7);
  });
});
