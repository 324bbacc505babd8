import { DEFAULT_SEGMENT, HyperlabError, type Hypervisor } from "@hyperlab/core";

/**
 * How many of the guests a launch asks for fit, before any is created: memory on the hosts
 * (each guest's RAM and the overhead of running it, placed as the core places guests) and
 * addresses on the network segment new guests join. The dialog shows it as the count changes
 * and refuses a launch that does not fit whole.
 */
export interface LaunchFit {
  count: number;
  fit: number;
  /** What stops the rest, when some do not fit. */
  limit?: "memory" | "addresses";
  /** One guest's RAM, its overhead, and both together. */
  memoryMiB: number;
  overheadMiB: number;
  perGuestMiB: number;
  /** Host memory free now, all hosts together. */
  freeMiB: number;
  /** Addresses left on the segment (guests with a NIC). */
  addressesLeft?: number;
  segment: string;
}

export function launchFit(hv: Hypervisor, count: number, memoryMiB: number, withNic = true): LaunchFit {
  const wanted = Math.max(0, Math.floor(count) || 0);
  const memory = hv.fit(Array<number>(wanted).fill(memoryMiB));
  const segment = DEFAULT_SEGMENT;
  const addresses = withNic ? hv.network.addresses(segment) : undefined;
  const addressesLeft = addresses && Math.max(0, addresses.capacity - addresses.guests);
  const fit = Math.min(memory.fit, addressesLeft ?? Infinity);
  const limit = fit >= wanted ? undefined : memory.fit <= fit ? "memory" : "addresses";
  return {
    count: wanted,
    fit,
    limit,
    memoryMiB,
    overheadMiB: hv.guestOverheadMiB,
    perGuestMiB: memoryMiB + hv.guestOverheadMiB,
    freeMiB: memory.freeMiB,
    addressesLeft,
    segment,
  };
}

/** The refusal of a launch that does not fit whole: typed, with the numbers the page translates. */
export function launchRefusal(fit: LaunchFit): HyperlabError | undefined {
  if (fit.limit === "memory")
    return new HyperlabError(
      "memory-over-budget",
      `Only ${fit.fit} of ${fit.count} guests fit: each needs ${fit.perGuestMiB} MiB (${fit.memoryMiB} MiB of RAM and ${fit.overheadMiB} MiB to run it), and ${fit.freeMiB} MiB are free.`,
      {
        reason: "launch-memory",
        count: fit.count,
        fit: fit.fit,
        perGuestMiB: fit.perGuestMiB,
        ramMiB: fit.memoryMiB,
        overheadMiB: fit.overheadMiB,
        freeMiB: fit.freeMiB,
      },
    );
  if (fit.limit === "addresses")
    return new HyperlabError(
      "segment-full",
      `Only ${fit.fit} of ${fit.count} guests fit: segment "${fit.segment}" has ${fit.addressesLeft} addresses left.`,
      { reason: "launch-addresses", count: fit.count, fit: fit.fit, segment: fit.segment, left: fit.addressesLeft },
    );
  return undefined;
}
