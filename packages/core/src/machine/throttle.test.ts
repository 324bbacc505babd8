import { describe, expect, it } from "vitest";
import { CpuThrottle, PERIOD_MS } from "./throttle.js";

/**
 * Runs a fake always-busy guest for `ms` of fake time in 1 ms slices and returns how long it
 * ran. `lateMs`: how late the timer fires after a wait (Node's setTimeout is ~1 ms late or more).
 */
function simulate(
  share: number,
  ms: number,
  { lateMs = 0, phase = 0, start = 0 } = {},
): { busyMs: number; throttledMs: number; runs: number[] } {
  let now = start;
  const throttle = new CpuThrottle(() => now);
  throttle.setShare(share, phase);
  let busyMs = 0;
  const runs: number[] = [];
  while (now < start + ms) {
    runs.push(now);
    throttle.onSlice(1, 100_000);
    busyMs += 1;
    now += 1;
    const wait = throttle.delayBeforeNextSlice(0);
    now += wait > 0 ? wait + lateMs : 0;
  }
  return { busyMs, throttledMs: throttle.takeSample().throttledMs, runs };
}

describe("CpuThrottle", () => {
  it("does not hold back an unlimited guest", () => {
    expect(simulate(1, 1000).busyMs).toBe(1000);
  });

  it.each([0.1, 1 / 7, 0.25, 0.5, 4 / 7])("holds a busy guest to a %s share of the time", (share) => {
    const { busyMs, throttledMs } = simulate(share, 20_000);
    expect(Math.abs(busyMs / 20_000 - share) / share).toBeLessThan(0.01);
    expect(throttledMs).toBeGreaterThan(20_000 * (1 - share) * 0.95);
  });

  it.each([0.1, 0.25, 0.5])("holds a %s share within 1%% when timers fire 2 ms late", (share) => {
    const { busyMs } = simulate(share, 20_000, { lateMs: 2 });
    expect(Math.abs(busyMs / 20_000 - share) / share).toBeLessThan(0.01);
  });

  it("runs at its phase of every period, so that guests sharing a core take turns", () => {
    const epoch = 1_800_000_000_000;
    const { runs } = simulate(0.25, 10 * PERIOD_MS, { phase: 0.5, start: epoch });
    // After the first (partial) period, every slice falls into [50 ms, 75 ms] of its period.
    const later = runs.filter((t) => t >= epoch + PERIOD_MS);
    expect(later.length).toBeGreaterThan(0);
    for (const t of later) {
      const at = (t - epoch) % PERIOD_MS;
      expect(at).toBeGreaterThanOrEqual(50);
      expect(at).toBeLessThanOrEqual(75);
    }
  });

  it("lets v86 sleep as long as it wants to", () => {
    const throttle = new CpuThrottle(() => 0);
    throttle.setShare(0.5);
    throttle.onSlice(1, 1000);
    expect(throttle.delayBeforeNextSlice(7)).toBeGreaterThanOrEqual(7);
  });
});
