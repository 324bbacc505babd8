/**
 * Whether a lab fits, checked whole before any guest is created: addresses for every guest of
 * each segment (a segment's DHCP server leases .10 and up, see network/network.ts) and memory
 * for all new guests together, RAM and overhead, placed on the hypervisor's hosts as `create`
 * places them. Each refusal names its rule (`details.reason`) and its numbers.
 */
import { HyperlabError } from "../errors.js";
import type { Hypervisor } from "../hypervisor.js";
import { parseSubnet } from "../network/dhcp.js";
import { formatIp } from "../network/frame.js";
import { DEFAULT_SEGMENT, FIRST_GUEST_HOST, guestAddresses } from "../network/network.js";
import type { Lab, LabGuest } from "./lab.js";

/** What a segment without a subnet gets: the network's next free 10.0.<n>.0/24 (the default segment: 10.0.0.0/24). */
const DEFAULT_PREFIX = 24;

/** The segment a lab guest's NIC ends up on (none without a NIC). */
function segmentOf(guest: LabGuest): string | undefined {
  if ((guest.net ?? "none") === "none") return undefined;
  return guest.segment ?? DEFAULT_SEGMENT;
}

/** A segment that would hold more guests than it has addresses for. */
function tooMany(
  source: string,
  segment: { name: string; subnet?: string; index?: number },
  capacity: number,
  guests: number,
  already: number,
): HyperlabError {
  const { name, subnet, index } = segment;
  const where = subnet === undefined ? `gets a new /${DEFAULT_PREFIX}, with` : `(${subnet}) has`;
  let addresses = "";
  if (subnet !== undefined) {
    const { network } = parseSubnet(subnet);
    const first = formatIp(network + FIRST_GUEST_HOST);
    addresses =
      capacity === 0
        ? ` (guests' addresses start at .${FIRST_GUEST_HOST})`
        : ` (${first} to ${formatIp(network + FIRST_GUEST_HOST + capacity - 1)})`;
  }
  const there = already > 0 ? ` (${already} of them there already)` : "";
  return new HyperlabError(
    "segment-full",
    `${source}: Segment "${name}" ${where} addresses for ${capacity} guests${addresses}, but ${guests} would be on it${there}; give it a larger subnet or split the guests over more segments.`,
    {
      reason: "lab-addresses",
      segment: name,
      ...(subnet === undefined ? {} : { subnet }),
      capacity,
      guests,
      ...(index === undefined ? {} : { field: `segments[${index}].subnet` }),
      source,
    },
  );
}

/** The lab's guests with a NIC, per segment they end up on, in file order. */
function perSegment(lab: Lab): Map<string, LabGuest[]> {
  const map = new Map<string, LabGuest[]>();
  for (const guest of lab.guests) {
    const segment = segmentOf(guest);
    if (segment !== undefined) map.set(segment, [...(map.get(segment) ?? []), guest]);
  }
  return map;
}

/**
 * The lab alone: every segment has an address for each guest the lab puts on it (a segment
 * without a subnet, and the default segment, get a /24). Throws `segment-full`.
 */
export function checkLabAddresses(lab: Lab, source: string): void {
  for (const [name, guests] of perSegment(lab)) {
    const index = lab.segments.findIndex((s) => s.name === name);
    const subnet = lab.segments[index]?.subnet;
    const capacity = guestAddresses(subnet === undefined ? DEFAULT_PREFIX : parseSubnet(subnet).prefix);
    if (guests.length > capacity)
      throw tooMany(source, { name, subnet, index: index < 0 ? undefined : index }, capacity, guests.length, 0);
  }
}

/**
 * The lab against the hypervisor: each segment has addresses for the guests on it once the lab
 * runs (those there now that stay, and the lab's), and the lab's new guests fit in memory
 * (`memoryMiB`: each new guest's RAM, in file order). Throws `segment-full` or `memory-over-budget`.
 */
export function checkLabFits(hv: Hypervisor, lab: Lab, memoryMiB: readonly number[], source: string): void {
  const labNames = new Set(lab.guests.map((g) => g.name));
  const segments = hv.network.segments;
  const current = new Map(hv.network.ports.map((p) => [p.guest, p.segment]));
  const exists = (name: string) => hv.guests.some((g) => g.name === name);
  // Every guest's segment once the lab runs: the others' stay; the lab's go where it says, an
  // adopted guest without a segment in the lab stays where it is.
  const after = new Map<string, { lab: number; others: number }>();
  const count = (segment: string | undefined, fromLab: boolean) => {
    if (segment === undefined) return;
    const entry = after.get(segment) ?? { lab: 0, others: 0 };
    entry[fromLab ? "lab" : "others"]++;
    after.set(segment, entry);
  };
  for (const [guest, segment] of current) if (!labNames.has(guest)) count(segment, false);
  for (const guest of lab.guests) {
    if (!exists(guest.name)) count(segmentOf(guest), true);
    else if (current.has(guest.name)) count(guest.segment ?? current.get(guest.name), true);
  }
  for (const [name, { lab: fromLab, others }] of after) {
    if (fromLab === 0) continue;
    const existing = segments.find((s) => s.name === name);
    const index = lab.segments.findIndex((s) => s.name === name);
    const declared = lab.segments[index]?.subnet;
    // An empty segment takes the lab's subnet; one with guests keeps its own (startLab refuses a clash).
    const subnet = existing && (declared === undefined || existing.guests.length > 0) ? existing.subnet : declared;
    const capacity = guestAddresses(subnet === undefined ? DEFAULT_PREFIX : parseSubnet(subnet).prefix);
    if (fromLab + others <= capacity) continue;
    throw tooMany(source, { name, subnet, index: index < 0 ? undefined : index }, capacity, fromLab + others, others);
  }

  const fit = hv.fit(memoryMiB);
  if (fit.fit === fit.count) return;
  const { freeMiB, budgetMiB } = hv.memory();
  const hosts = hv.hosts.length > 1 ? `the ${hv.hosts.length} hosts'` : "the host's";
  throw new HyperlabError(
    "memory-over-budget",
    `${source}: The lab's ${fit.count} new guests need ${fit.needMiB} MiB (${fit.ramMiB} MiB of RAM and ${fit.overheadMiB} MiB to run them, ${hv.guestOverheadMiB} MiB each) but only ${freeMiB} MiB of ${hosts} ${budgetMiB} MiB are free: ${fit.fit} of them fit.`,
    {
      reason: "lab-memory",
      guests: fit.count,
      fit: fit.fit,
      memoryMiB: fit.needMiB,
      ramMiB: fit.ramMiB,
      overheadMiB: fit.overheadMiB,
      overheadPerGuestMiB: hv.guestOverheadMiB,
      freeMiB,
      budgetMiB,
      source,
    },
  );
}
