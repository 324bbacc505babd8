/**
 * Token buckets for a switch port, as Firecracker's rate limiter does it: one bucket for
 * bytes and one for packets (ops), each refilled continuously from an injected clock.
 */

export type Clock = () => number;

export interface BucketConfig {
  /** Tokens added per second (bytes/s or packets/s). */
  rate: number;
  /** Most tokens the bucket holds (the burst); defaults to one second's worth. */
  burst?: number;
}

export interface RateLimit {
  bytes?: BucketConfig;
  packets?: BucketConfig;
}

export class TokenBucket {
  readonly rate: number;
  readonly burst: number;
  private tokens: number;
  private last: number;

  constructor(
    config: BucketConfig,
    private readonly clock: Clock,
  ) {
    if (!(config.rate > 0)) throw new RangeError(`A token bucket needs a positive rate, not ${config.rate}.`);
    this.rate = config.rate;
    this.burst = config.burst ?? config.rate;
    this.tokens = this.burst;
    this.last = clock();
  }

  private refill(): void {
    const now = this.clock();
    if (now > this.last) this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
  }

  /** Whether `n` tokens are there now (does not take them). */
  has(n: number): boolean {
    this.refill();
    return this.tokens >= n;
  }

  take(n: number): void {
    this.tokens -= n;
  }

  get available(): number {
    this.refill();
    return this.tokens;
  }
}

/** Both buckets of one port; a frame passes only if each bucket it has can pay for it. */
export class RateLimiter {
  private readonly bytes?: TokenBucket;
  private readonly packets?: TokenBucket;

  constructor(
    readonly limit: RateLimit,
    clock: Clock,
  ) {
    if (limit.bytes) this.bytes = new TokenBucket(limit.bytes, clock);
    if (limit.packets) this.packets = new TokenBucket(limit.packets, clock);
  }

  /** Takes the tokens for one frame of `size` bytes, or returns false and takes nothing. */
  admit(size: number): boolean {
    if (this.bytes && !this.bytes.has(size)) return false;
    if (this.packets && !this.packets.has(1)) return false;
    this.bytes?.take(size);
    this.packets?.take(1);
    return true;
  }
}
