/**
 * Holds one guest to a share of a host core, inside its worker.
 *
 * v86 runs the guest in slices (`cpu.main_loop`, about 1 ms) and then yields. We time each
 * slice; once the guest has had its share of a period's time, the next slice waits for the next
 * period. The budget is CPU time, as Xen's cap and Linux's CFS quota count it, and the period is
 * CFS's default (100 ms): long enough that waking up costs little, short enough that a capped
 * guest still answers a key within a tenth of a second.
 *
 * Periods follow a grid shifted by the guest's phase (scheduler.ts `phases`), on a clock all
 * workers share, so that guests sharing a core take turns instead of all running at the start
 * of a period and preempting one another.
 */
export interface ThrottleSample {
  /** Instructions run since the last sample (the counter wraps; deltas use `>>> 0`). */
  instructions: number;
  /** Time spent inside slices. */
  busyMs: number;
  /** Time the guest was ready to run but held back by its budget ("steal"). */
  throttledMs: number;
}

export const PERIOD_MS = 100;

export class CpuThrottle {
  /** Fraction of one core; 1 or more means no limit. */
  private share = 1;
  /** Where the guest's periods start, as a fraction of a period. */
  private phase = 0;
  private periodEnd = 0;
  private periodMs = 0;
  private sample: ThrottleSample = { instructions: 0, busyMs: 0, throttledMs: 0 };

  /**
   * @param now a clock that all guests' workers share (ms since the epoch, sub-ms precision), so
   *   that periods with different phases interleave rather than overlap.
   */
  constructor(private readonly now: () => number) {}

  setShare(share: number, phase = 0): void {
    this.share = share > 0 ? share : 1;
    this.phase = Number.isFinite(phase) ? ((phase % 1) + 1) % 1 : 0;
  }

  get limited(): boolean {
    return this.share < 1;
  }

  /** Called after every slice with its duration and instruction count. */
  onSlice(ms: number, instructions: number): void {
    this.sample.instructions += instructions;
    this.sample.busyMs += ms;
    this.periodMs += ms;
  }

  /** How long the next slice must wait, given v86's own wish to sleep `delayMs` (0 = run now). */
  delayBeforeNextSlice(delayMs: number): number {
    if (!this.limited) return delayMs;
    const now = this.now();
    const budget = this.share * PERIOD_MS;
    if (now >= this.periodEnd) {
      // A new period: unused budget does not carry over; the last slice's overdraft does.
      this.periodMs = Math.min(Math.max(0, this.periodMs - budget), budget);
      // The grid is fixed: the slice that ran across the boundary and a timer that fired late
      // must not stretch the period (each ms of stretch would lose 1% of the share).
      const offset = this.phase * PERIOD_MS;
      this.periodEnd = offset + (Math.floor((now - offset) / PERIOD_MS) + 1) * PERIOD_MS;
    }
    if (this.periodMs < budget) return delayMs;
    const wait = this.periodEnd - now;
    this.sample.throttledMs += Math.max(0, wait - Math.max(0, delayMs));
    return Math.max(delayMs, wait);
  }

  takeSample(): ThrottleSample {
    const sample = this.sample;
    this.sample = { instructions: 0, busyMs: 0, throttledMs: 0 };
    return sample;
  }
}
