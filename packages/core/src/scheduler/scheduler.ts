import type { MachineSample } from "../worker/protocol.js";

/**
 * Proportional-share CPU scheduling with caps, in the manner of Xen's credit scheduler
 * (weight, cap) and libvirt's `shares`/`quota`: under contention each guest gets host CPU in
 * proportion to its weight; a cap bounds a guest even when the host is idle; CPU a guest
 * does not use goes to the others (work-conserving).
 *
 * Pure: it turns weights, caps and measured demand into shares. Guests enforce their share in
 * their own worker (machine/throttle.ts).
 */
export interface SchedulerEntry {
  id: string;
  weight: number;
  /** % of one host core; 0 = no cap. */
  cap: number;
  /** Fraction of one core the guest wants: 1 when it was held back or ran flat out. */
  demand: number;
}

export interface Allocation {
  /** Fraction of one host core the guest may use; 1 = a whole core (a guest has one vCPU). */
  share: number;
  /** True when this share is below what the guest wants (it is being held back). */
  contended: boolean;
}

/** The most a guest may use: one core (one vCPU), or its cap. */
function ceiling(entry: SchedulerEntry): number {
  return entry.cap > 0 ? Math.min(1, entry.cap / 100) : 1;
}

/**
 * Water-filling: raise a common level; a guest's share is min(level × weight, what it wants).
 * Guests that want less than their weighted part give the rest to the others.
 */
export function allocate(entries: readonly SchedulerEntry[], hostCores: number): Map<string, Allocation> {
  const result = new Map<string, Allocation>();
  let remaining = Math.max(0, hostCores);
  let active = entries.map((e) => ({ entry: e, want: Math.min(ceiling(e), Math.max(0, e.demand)) }));
  let level = 0;
  for (;;) {
    const weights = active.reduce((sum, a) => sum + a.entry.weight, 0);
    if (active.length === 0 || weights === 0) break;
    level = remaining / weights;
    const satisfied = active.filter((a) => a.want <= level * a.entry.weight);
    if (satisfied.length === 0) break;
    for (const a of satisfied) {
      remaining -= a.want;
      result.set(a.entry.id, { share: a.want, contended: false });
    }
    active = active.filter((a) => !satisfied.includes(a));
  }
  for (const a of active) result.set(a.entry.id, { share: level * a.entry.weight, contended: true });
  // Guests that got what they want may grow up to the level (or their cap) before the next
  // round notices: an idle guest that wakes up is not stuck at its idle share.
  for (const e of entries) {
    const allocation = result.get(e.id)!;
    if (!allocation.contended) {
      const headroom =
        active.length === 0 ? ceiling(e) : Math.min(ceiling(e), Math.max(allocation.share, level * e.weight));
      result.set(e.id, { share: headroom, contended: false });
    }
  }
  return result;
}

/**
 * What a guest wants next, from its last sample: a guest that was held back, or that ran
 * flat out, wants a whole core; otherwise what it used plus room to grow.
 */
export function estimateDemand(
  sample: { busyMs: number; throttledMs: number; intervalMs: number },
  share: number,
): number {
  if (sample.intervalMs <= 0) return 1;
  const used = sample.busyMs / sample.intervalMs;
  if (sample.throttledMs > sample.intervalMs * 0.05 || used >= Math.min(share, 1) * 0.9) return 1;
  return Math.min(1, used * 1.5 + 0.05);
}

/** A guest's CPU over one sample interval, and what it wants of a core next (see estimateDemand). */
export function cpuFigures(sample: Omit<MachineSample, "jit">, share: number) {
  const interval = Math.max(1, sample.intervalMs);
  return {
    at: sample.at,
    intervalMs: sample.intervalMs,
    instructions: sample.instructions,
    mips: sample.instructions / interval / 1000,
    /** Time the guest ran, as % of one host core. */
    cpuPercent: Math.min(100, (sample.busyMs / interval) * 100),
    throttledMs: sample.throttledMs,
    demand: sample.running ? estimateDemand(sample, share) : 0,
  };
}

/**
 * Where in each scheduling period a guest runs, as a fraction of the period.
 *
 * Each guest enforces its share in its own worker by running until its budget for the period
 * is spent. If every period started at the same moment, all busy guests would run at once at
 * the start of it and then all wait: more guests than host cores would be runnable together,
 * the host OS would preempt them in the middle of their slices, and the small shares would get
 * less than promised. Instead the shares are laid end to end on `hostCores` lanes, wrapping at
 * the period's end (McNaughton's rule): at any moment at most `hostCores` busy guests run, and a
 * guest (share ≤ 1) never overlaps itself. Busy guests come first so that they get disjoint
 * windows; a guest that wants less than its share is placed by what it uses.
 */
export function phases(
  entries: readonly { id: string; share: number; demand: number; contended: boolean }[],
): Map<string, number> {
  const result = new Map<string, number>();
  const ordered = [...entries.filter((e) => e.contended), ...entries.filter((e) => !e.contended)];
  let position = 0;
  for (const e of ordered) {
    result.set(e.id, position % 1);
    const uses = e.contended ? e.share : Math.min(e.share, e.demand);
    position += Math.max(0, Math.min(1, uses));
  }
  return result;
}

/**
 * Which guests' shares the throttles must enforce. Booting guests are left to the machine's own
 * scheduler when the guests may use every core of the machine (`hostCores` ≥ `machineCores`)
 * and every guest being held back has the same weight: the OS then gives their threads equal
 * parts of the cores anyway. A boot runs most of its code once, so v86's JIT keeps V8's
 * background compilers busy, and a budget of wall time in slices would charge each guest for
 * the time those threads take from it (measured: eight cold boots on two cores, 12.4 s
 * throttled against 8.0 s left to the OS). Running guests are always enforced: four busy guests
 * on two cores, taking turns, ran 133–142 MIPS each; left to the OS, 123–130. So is a cap.
 */
export function enforcedShares(
  entries: readonly (SchedulerEntry & { booting?: boolean })[],
  allocations: ReadonlyMap<string, Allocation>,
  hostCores: number,
  machineCores: number,
): Set<string> {
  const held = entries.filter((e) => allocations.get(e.id)?.contended && e.cap === 0);
  const equal = held.every((e) => e.weight === held[0]?.weight);
  const leaveToHost = hostCores >= machineCores && equal;
  return new Set(entries.filter((e) => e.cap > 0 || !e.booting || !leaveToHost).map((e) => e.id));
}
