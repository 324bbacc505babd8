/** What the network reports: its segments, ports and packets, and its events. */
import type { Lease } from "./dhcp.js";
import { formatIp, formatMac, type FrameSummary } from "./frame.js";
import type { RateLimit } from "./rate-limiter.js";
import type { DropReason, PortCounters, SwitchPort } from "./switch.js";

export interface SegmentInfo {
  name: string;
  subnet: string;
  /** The segment's DHCP server (also answers ARP and ping). */
  server: string;
  /** Whether that server answers DHCP; off, guests on the segment get no address from it. */
  dhcp: boolean;
  guests: string[];
}

export interface PortInfo {
  port: number;
  guest: string;
  mac: string;
  nic: string;
  segment: string;
  linkUp: boolean;
  /** The guest is paused: frames for it wait (up to a limit) instead of being delivered. */
  held: boolean;
  /** The address the segment's DHCP server has for this guest (none while the segment's DHCP is off). */
  address?: string;
  /**
   * Whether, since its machine started, the guest's DHCP client has taken that lease and the
   * guest uses the address (the server saw an ARP from it with that address as sender: the
   * image's DHCP script announces it once it is on eth0).
   */
  leased: boolean;
  rateLimit?: RateLimit;
  /** The port's security groups; none: the port is open (everything on its segment reaches it). */
  groups: string[];
  counters: PortCounters;
}

/** One line of the live packet log. */
export interface PacketEvent extends FrameSummary {
  at: number;
  /** The port the frame came in on (a guest's name, or "dhcp@<segment>"). */
  port: string;
  segment: string;
  length: number;
  /** Set when the switch dropped the frame, and why. */
  dropped?: DropReason;
}

export interface NetworkEvents {
  "network:packet": PacketEvent;
  /** Segments, ports, links or leases changed. */
  "network:change": { reason: string };
  /**
   * A guest took its lease and uses the address (at boot, after an instant launch took its MAC,
   * or when asked again): it is on the guest's interface.
   */
  "network:lease": { guest: string; segment: string; address: string };
}

/** What a guest's port reports: the lease's address only while its segment's DHCP is on. */
export function portInfo(
  entry: { guest: { name: string; spec: { net: string } }; mac: number; port: SwitchPort },
  lease: Lease | undefined,
  dhcp: boolean,
  groups: string[],
): PortInfo {
  const { guest, mac, port } = entry;
  return {
    port: port.id,
    guest: guest.name,
    mac: formatMac(mac),
    nic: guest.spec.net,
    segment: port.segment,
    linkUp: port.linkUp,
    held: port.held,
    address: lease && dhcp ? formatIp(lease.ip) : undefined,
    leased: !!(lease?.bound && lease.inUse),
    rateLimit: port.limiter?.limit,
    groups,
    counters: structuredClone(port.counters),
  };
}
