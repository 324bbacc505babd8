/**
 * A segment's address plan: the subnet's guest addresses (.10 up), who holds which, and the
 * refusals when there is no room (see network.ts for how guests join).
 */
import { HyperlabError } from "../errors.js";
import { isName } from "../spec.js";
import { parseSubnet, type DhcpServer, type Subnet } from "./dhcp.js";
import { formatIp } from "./frame.js";
import type { SwitchPort } from "./switch.js";

export const DEFAULT_SEGMENT = "default";
/** The first host number a guest gets on a segment (.1 is the segment's DHCP server). */
export const FIRST_GUEST_HOST = 10;
/** How many guests a subnet of this prefix has addresses for: .10 up to the last before the broadcast address. */
export function guestAddresses(prefix: number): number {
  return Math.max(0, 2 ** (32 - prefix) - 1 - FIRST_GUEST_HOST);
}

export function checkSegmentName(name: string): void {
  if (!isName(name))
    throw new HyperlabError(
      "invalid-spec",
      `"${name}" is not a usable segment name: up to 63 letters, digits, "_", "." and "-", starting with a letter or digit.`,
      { field: "segment", reason: "segment-name", name },
    );
}

export function segmentFull(segment: Segment, guest: string, guests: number, capacity: number): HyperlabError {
  const { network, prefix } = segment.server.subnet;
  const room =
    capacity === 0
      ? `a /${prefix} has no addresses from .${FIRST_GUEST_HOST} up, where guests' addresses start`
      : `its ${capacity} guest addresses (${formatIp(network + FIRST_GUEST_HOST)} to ${formatIp(network + FIRST_GUEST_HOST + capacity - 1)}) are all taken by guests on it`;
  return new HyperlabError(
    "segment-full",
    `Segment "${segment.name}" (${segment.subnet}) has no address left for guest "${guest}": ${room}.`,
    { reason: "segment-full", segment: segment.name, subnet: segment.subnet, guest, guests, capacity },
  );
}

export interface Segment {
  name: string;
  subnet: string;
  server: DhcpServer;
  serverPort: SwitchPort;
  /** Guest name → host number on this segment. */
  hosts: Map<string, number>;
}

/**
 * A guest's host number on a segment: the one it had there, else the lowest free one from
 * .10, else (the subnet is full) the number of a guest that left the segment, oldest first.
 * With `take`, the guest gets it. Throws `segment-full` when every address is a guest's on it.
 */
export function hostNumber(segment: Segment, name: string, on: ReadonlySet<string>, take: boolean): number {
  const known = segment.hosts.get(name);
  if (known !== undefined) return known;
  const capacity = guestAddresses(segment.server.subnet.prefix);
  const used = new Set(segment.hosts.values());
  let host = FIRST_GUEST_HOST;
  while (used.has(host)) host++;
  if (host < FIRST_GUEST_HOST + capacity) {
    if (take) segment.hosts.set(name, host);
    return host;
  }
  const gone = [...segment.hosts.keys()].find((other) => !on.has(other));
  if (gone === undefined) throw segmentFull(segment, name, on.size, capacity);
  host = segment.hosts.get(gone)!;
  if (take) {
    segment.hosts.delete(gone);
    segment.hosts.set(name, host);
  }
  return host;
}

/** The next free 10.0.<n>.0/24, for a segment declared without a subnet. */
export function freeSubnet(used: readonly string[]): string {
  for (let n = 1; n < 256; n++) if (!used.includes(`10.0.${n}.0/24`)) return `10.0.${n}.0/24`;
  throw new HyperlabError("invalid-state", "No free 10.0.<n>.0/24 subnet is left.");
}

/** A segment's subnet checked by the one CIDR rule, and written the one way. */
export function segmentSubnet(cidr: string): { parsed: Subnet; normal: string } {
  let parsed: Subnet;
  try {
    parsed = parseSubnet(cidr);
  } catch (error) {
    throw new HyperlabError("invalid-spec", (error as Error).message, { field: "subnet" });
  }
  return { parsed, normal: `${formatIp(parsed.network)}/${parsed.prefix}` };
}
