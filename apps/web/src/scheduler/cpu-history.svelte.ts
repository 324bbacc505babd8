import type { Disposable, Hypervisor } from "@hyperlab/core";

/** One point of a guest's CPU history. */
export interface CpuPoint {
  at: number;
  cpuPercent: number;
  sharePercent: number;
  mips: number;
  throttledMs: number;
}

/** How much history the chart keeps: a minute at two samples a second. */
export const HISTORY_POINTS = 120;

/**
 * Per-guest CPU share over time, from the hypervisor's metrics stream. The series are
 * replaced, not mutated ($state.raw), so the chart redraws once per sample.
 */
export class CpuHistory {
  series = $state.raw<Record<string, CpuPoint[]>>({});
  private readonly subscription: Disposable;

  constructor(hv: Hypervisor) {
    this.subscription = hv.on("guest:metrics", (m) => {
      const points = this.series[m.guest.id] ?? [];
      const next = [
        ...points.slice(-(HISTORY_POINTS - 1)),
        {
          at: m.at,
          cpuPercent: m.cpuPercent,
          sharePercent: Math.min(100, m.share * 100),
          mips: m.mips,
          throttledMs: m.throttledMs,
        },
      ];
      this.series = { ...this.series, [m.guest.id]: next };
    });
  }

  latest(id: string): CpuPoint | undefined {
    return this.series[id]?.at(-1);
  }

  dispose(): void {
    this.subscription.dispose();
  }
}

/** An SVG polyline for a series of percentages in a width × height box, newest at the right. */
export function polyline(values: number[], width: number, height: number): string {
  const step = width / Math.max(1, HISTORY_POINTS - 1);
  const offset = width - step * (values.length - 1);
  return values
    .map(
      (v, i) =>
        `${(offset + i * step).toFixed(1)},${(height - (Math.min(100, Math.max(0, v)) / 100) * height).toFixed(1)}`,
    )
    .join(" ");
}
