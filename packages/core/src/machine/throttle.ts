/**
 * Holds one guest to a share of a host core, inside its worker.
 *
 * v86 runs the guest in slices (`cpu.main_loop`, ~1 ms or ~100k instructions) and then
 * yields. We time each slice and count its instructions; once a period's budget is spent,
 * the next slice waits for the next period. The budget is counted in instructions at the
 * guest's measured full speed, not in slice time: at small shares timer work takes a large
 * part of each slice, and a time budget would then run far fewer instructions than the share.
 */
export interface ThrottleSample {
  /** Instructions run since the last sample (the counter wraps; deltas use `>>> 0`). */
  instructions: number;
  /** Time spent inside slices. */
  busyMs: number;
  /** Time the guest was ready to run but held back by its budget ("steal"). */
  throttledMs: number;
  /** Instructions per ms at full speed, as measured. */
  fullSpeedPerMs: number;
}

const PERIOD_MS = 50;
/** Slices shorter than this say little about full speed (mostly timer work). */
const MIN_SLICE_MS = 0.25;
/** Full speed is a moving average over about this much running time. */
const RATE_WINDOW_MS = 2000;

export class CpuThrottle {
  /** Fraction of one core; 1 or more means no limit. */
  private share = 1;
  private periodEnd = 0;
  private periodInstructions = 0;
  private periodMs = 0;
  private fullSpeedPerMs = 0;
  private afterWait = false;
  private sample: ThrottleSample = { instructions: 0, busyMs: 0, throttledMs: 0, fullSpeedPerMs: 0 };

  constructor(private readonly now: () => number) {}

  setShare(share: number): void {
    this.share = share > 0 ? share : 1;
  }

  get limited(): boolean {
    return this.share < 1;
  }

  /**
   * Called after every slice with its duration, its instruction count, and whether it ended
   * because the guest halted (idle until its next timer) rather than after a full batch.
   */
  onSlice(ms: number, instructions: number, halted = false): void {
    this.sample.instructions += instructions;
    this.sample.busyMs += ms;
    this.periodInstructions += instructions;
    this.periodMs += ms;
    // Full speed is what the guest runs in full batches between timer catch-ups: a slice that
    // halted was partly idle, and the first slice after a throttled wait mostly handles the
    // timers that fired meanwhile, so both are left out.
    if (ms >= MIN_SLICE_MS && !this.afterWait && !halted) {
      const rate = instructions / ms;
      const weight = Math.min(1, ms / RATE_WINDOW_MS);
      this.fullSpeedPerMs = this.fullSpeedPerMs === 0 ? rate : this.fullSpeedPerMs * (1 - weight) + rate * weight;
    }
    this.afterWait = false;
  }

  /** How long the next slice must wait, given v86's own wish to sleep `delayMs` (0 = run now). */
  delayBeforeNextSlice(delayMs: number): number {
    if (!this.limited) return delayMs;
    const now = this.now();
    // A period's budget is its share of time and of full-speed instructions: the guest runs
    // until it has had both, so timer work cannot eat its instructions and a rate measured
    // low (e.g. while idle) cannot starve it.
    const timeBudget = this.share * PERIOD_MS;
    const instructionBudget = this.share * this.fullSpeedPerMs * PERIOD_MS;
    if (now >= this.periodEnd) {
      // A new period: unused budget does not carry over; the last slice's overdraft does.
      this.periodInstructions = Math.min(Math.max(0, this.periodInstructions - instructionBudget), instructionBudget);
      this.periodMs = Math.min(Math.max(0, this.periodMs - timeBudget), timeBudget);
      // Periods follow a fixed grid: the slice that ran across the boundary and a timer that
      // fired late must not stretch the period (each ms of stretch loses 2% of the share).
      // After an idle gap longer than a period, a fresh period starts now.
      this.periodEnd = now < this.periodEnd + PERIOD_MS ? this.periodEnd + PERIOD_MS : now + PERIOD_MS;
    }
    if (this.periodMs < timeBudget || this.periodInstructions < instructionBudget) return delayMs;
    const wait = this.periodEnd - now;
    this.afterWait = true;
    this.sample.throttledMs += Math.max(0, wait - Math.max(0, delayMs));
    return Math.max(delayMs, wait);
  }

  takeSample(): ThrottleSample {
    const sample = { ...this.sample, fullSpeedPerMs: this.fullSpeedPerMs };
    this.sample = { instructions: 0, busyMs: 0, throttledMs: 0, fullSpeedPerMs: 0 };
    return sample;
  }
}
