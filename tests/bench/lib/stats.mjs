/** Small statistics and timing helpers shared by the benches. */

export function median(values) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Rounds to `digits` decimals (for tables and JSON). */
export function round(value, digits = 2) {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/**
 * Counts a guest's instructions over a window. `read` returns { instructions, at } where
 * `instructions` is v86's wrapping u32 counter and `at` the worker's clock (ms) when it was
 * read. Polls often enough that the counter cannot wrap twice between reads (a u32 wraps
 * after ~12 s at 360 MIPS) and sums the deltas with `(cur - prev) >>> 0`.
 */
export class InstructionMeter {
  constructor(read, pollMs = 250) {
    this.read = read;
    this.pollMs = pollMs;
  }

  async start() {
    this.first = this.last = await this.read();
    this.total = 0;
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        await sleep(this.pollMs);
        if (this.running) await this.poll();
      }
    })();
  }

  async poll() {
    const now = await this.read();
    this.total += (now.instructions - this.last.instructions) >>> 0;
    this.last = now;
  }

  /** Ends the window: { instructions, ms, mips } */
  async stop() {
    this.running = false;
    await this.loop;
    await this.poll();
    const ms = this.last.at - this.first.at;
    return { instructions: this.total, ms, mips: this.total / ms / 1000 };
  }
}

/** Measures several guests over the same window. */
export async function measureMips(readers, ms) {
  const meters = readers.map((read) => new InstructionMeter(read));
  await Promise.all(meters.map((m) => m.start()));
  await sleep(ms);
  return Promise.all(meters.map((m) => m.stop()));
}
