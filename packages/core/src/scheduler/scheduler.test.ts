import { describe, expect, it } from "vitest";
import { allocate, enforcedShares, estimateDemand, phases, type SchedulerEntry } from "./scheduler.js";

const busy = (id: string, weight = 256, cap = 0): SchedulerEntry => ({ id, weight, cap, demand: 1 });
const shares = (m: Map<string, { share: number }>) =>
  Object.fromEntries([...m].map(([k, v]) => [k, +v.share.toFixed(4)]));

describe("allocate", () => {
  it("splits one core 1:2:4 among three busy guests", () => {
    expect(shares(allocate([busy("a", 1), busy("b", 2), busy("c", 4)], 1))).toEqual({
      a: +(1 / 7).toFixed(4),
      b: +(2 / 7).toFixed(4),
      c: +(4 / 7).toFixed(4),
    });
  });

  it("gives weight 512 twice the CPU of weight 256 under contention", () => {
    const s = allocate([busy("a", 256), busy("b", 512)], 1);
    expect(s.get("b")!.share / s.get("a")!.share).toBeCloseTo(2);
  });

  it("holds caps even when the host is idle", () => {
    expect(shares(allocate([busy("a", 256, 10), busy("b", 256, 25), busy("c", 256, 50)], 1))).toEqual({
      a: 0.1,
      b: 0.25,
      c: 0.5,
    });
  });

  it("never gives one guest more than one core", () => {
    expect(allocate([busy("a")], 4).get("a")!.share).toBe(1);
  });

  it("gives an idle guest's CPU to the busy ones (work-conserving)", () => {
    const s = allocate([busy("a"), busy("b"), { id: "idle", weight: 256, cap: 0, demand: 0.02 }], 1);
    expect(s.get("a")!.share).toBeCloseTo(0.49);
    expect(s.get("b")!.share).toBeCloseTo(0.49);
    // The idle guest may still wake up to its fair part before the next round.
    expect(s.get("idle")!.share).toBeGreaterThanOrEqual(0.02);
    expect(s.get("idle")!.contended).toBe(false);
  });

  it("leaves guests unlimited when there is no contention", () => {
    const s = allocate([busy("a"), busy("b")], 2);
    expect(s.get("a")).toEqual({ share: 1, contended: false });
  });
});

describe("estimateDemand", () => {
  it("takes a held-back guest as wanting a whole core", () => {
    expect(estimateDemand({ busyMs: 100, throttledMs: 400, intervalMs: 500 }, 0.2)).toBe(1);
  });
  it("takes an idle guest at its use plus room to grow", () => {
    expect(estimateDemand({ busyMs: 10, throttledMs: 0, intervalMs: 500 }, 1)).toBeCloseTo(0.08);
  });
});

describe("phases", () => {
  /** How many guests run at moment `t` (a fraction of the period) if each runs [phase, phase + share). */
  function runningAt(t: number, list: { id: string; share: number }[], at: Map<string, number>): number {
    return list.filter((e) => {
      const start = at.get(e.id)!;
      return (t - start + 1) % 1 < e.share;
    }).length;
  }

  it("lays busy guests end to end on one core", () => {
    const list = [1, 2, 4].map((w, i) => ({ id: `g${i}`, share: w / 7, demand: 1, contended: true }));
    const at = phases(list);
    expect([...at.values()].map((p) => Math.round(p * 7))).toEqual([0, 1, 3]);
    for (let t = 0.0005; t < 1; t += 0.001) expect(runningAt(t, list, at)).toBe(1);
  });

  it("never runs more busy guests at once than there are cores, and no guest overlaps itself", () => {
    const list = ["a", "b", "c"].map((id) => ({ id, share: 2 / 3, demand: 1, contended: true }));
    const at = phases(list);
    for (let t = 0.0005; t < 1; t += 0.001) expect(runningAt(t, list, at)).toBeLessThanOrEqual(2);
    const shares = allocate(
      ["a", "b", "c", "d", "e"].map((id, i) => ({ id, weight: 256 * (i + 1), cap: 0, demand: 1 })),
      2,
    );
    const five = [...shares].map(([id, a]) => ({ id, share: a.share, demand: 1, contended: a.contended }));
    const placed = phases(five);
    for (let t = 0.0005; t < 1; t += 0.001) expect(runningAt(t, five, placed)).toBeLessThanOrEqual(2);
  });

  it("places idle guests after the busy ones, by what they use", () => {
    const at = phases([
      { id: "idle", share: 0.5, demand: 0.05, contended: false },
      { id: "busy", share: 0.5, demand: 1, contended: true },
    ]);
    expect(at.get("busy")).toBe(0);
    expect(at.get("idle")).toBe(0.5);
  });
});

describe("enforcedShares", () => {
  const busy = (id: string, weight = 256, cap = 0) => ({ id, weight, cap, demand: 1, booting: true });

  it("leaves equal, uncapped booting guests to the machine's own scheduler when they may use all its cores", () => {
    const entries = ["a", "b", "c", "d"].map((id) => busy(id));
    const shares = allocate(entries, 2);
    expect(enforcedShares(entries, shares, 2, 2).size).toBe(0);
    const running = entries.map((e) => ({ ...e, booting: e.id !== "a" }));
    expect(enforcedShares(running, shares, 2, 2)).toEqual(new Set(["a"]));
  });

  it("enforces shares when weights differ, when the hypervisor owns fewer cores than the machine, and caps always", () => {
    const weighted = [busy("a", 256), busy("b", 512), busy("c", 1024)];
    expect(enforcedShares(weighted, allocate(weighted, 2), 2, 2)).toEqual(new Set(["a", "b", "c"]));
    const equal = ["a", "b", "c"].map((id) => busy(id));
    expect(enforcedShares(equal, allocate(equal, 1), 1, 2)).toEqual(new Set(["a", "b", "c"]));
    const capped = [busy("a", 256, 10), busy("b"), busy("c")];
    expect(enforcedShares(capped, allocate(capped, 2), 2, 2)).toEqual(new Set(["a"]));
  });
});
