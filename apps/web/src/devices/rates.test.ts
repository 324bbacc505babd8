import type { ProbeSample } from "@hyperlab/core";
import { describe, expect, it } from "vitest";
import { activity, formatRate, ratesOf } from "./rates";

describe("device rates", () => {
  it("turns a probe sample into per-second rates", () => {
    const sample: ProbeSample = {
      at: 1000,
      intervalMs: 500,
      exits: 1100,
      irqLines: [],
      devices: [
        {
          device: "uart",
          reads: 100,
          writes: 1000,
          byWidth: [100, 0, 0, 1000, 0, 0],
          ioBytes: 1100,
          notifications: 0,
          irqs: 60,
          bytes: 1000,
          ports: [],
          queues: [],
        },
      ],
    };
    const uart = ratesOf(sample).uart!;
    expect(uart.exitsPerSecond).toBe(2200);
    expect(uart.irqsPerSecond).toBe(120);
    expect(uart.bytesPerExit).toBeCloseTo(1000 / 1100);
  });

  it("formats rates and maps activity to 0..1", () => {
    expect(formatRate(1234)).toBe("1.2k");
    expect(formatRate(56789)).toBe("57k");
    expect(formatRate(undefined)).toBe("—");
    expect(activity(0)).toBe(0);
    expect(activity(1e9)).toBe(1);
  });
});
