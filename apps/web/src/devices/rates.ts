import type { DeviceKey, DeviceProbe, ProbeSample } from "@hyperlab/core";

/** What a path diagram shows of one device, per second over the last probe interval. */
export interface DeviceRates {
  device: DeviceKey;
  exitsPerSecond: number;
  notificationsPerSecond: number;
  irqsPerSecond: number;
  /** Payload per second the device moved to or from its host backend. */
  bytesPerSecond: number;
  /** Payload bytes per port exit (undefined when there were no exits). */
  bytesPerExit: number | undefined;
  probe: DeviceProbe;
}

/** Per-second rates of every device in a sample. */
export function ratesOf(sample: ProbeSample): Partial<Record<DeviceKey, DeviceRates>> {
  const seconds = Math.max(0.001, sample.intervalMs / 1000);
  const out: Partial<Record<DeviceKey, DeviceRates>> = {};
  for (const probe of sample.devices) {
    const exits = probe.reads + probe.writes;
    out[probe.device] = {
      device: probe.device,
      exitsPerSecond: exits / seconds,
      notificationsPerSecond: probe.notifications / seconds,
      irqsPerSecond: probe.irqs / seconds,
      bytesPerSecond: probe.bytes / seconds,
      bytesPerExit: exits > 0 ? probe.bytes / exits : undefined,
      probe,
    };
  }
  return out;
}

/** A rate for people: 1234 → "1.2k", 0.5 → "0.5". */
export function formatRate(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return "—";
  if (value >= 1e6) return `${(value / 1e6).toFixed(1)}M`;
  if (value >= 1e4) return `${Math.round(value / 1e3)}k`;
  if (value >= 1e3) return `${(value / 1e3).toFixed(1)}k`;
  if (value >= 10) return value.toFixed(0);
  return value.toFixed(value === 0 ? 0 : 1);
}

/**
 * How fast the diagram's dots travel: one dot per exit would be far too many, so the speed
 * follows the exit rate on a log scale (0 when idle, ~1 at 100k exits/s).
 */
export function activity(perSecond: number): number {
  if (!(perSecond > 0.5)) return 0;
  return Math.min(1, Math.log10(perSecond + 1) / 5);
}
