/**
 * The hypervisor's network: one VirtualSwitch, its segments (each with a subnet and a built-in
 * DHCP server), and the guests whose NICs are plugged into it. Addresses are predictable:
 * each segment hands out host .10, .11, … in the order guests join it, and a guest keeps its
 * address on a segment for as long as the hypervisor lives (a lease per guest), unless the
 * subnet runs out: then a guest that joins gets the address of one that left, oldest first,
 * and when every address belongs to a guest on the segment, joining it is refused
 * (`segment-full`).
 */
import { HyperlabError } from "../errors.js";
import { Emitter, type Disposable } from "../events.js";
import type { Guest } from "../guest/guest.js";
import { Capture, type CaptureOptions, type CaptureTarget } from "./capture.js";
import { DhcpServer, type Lease } from "./dhcp.js";
import { pluggedInto } from "./guest-dhcp.js";
import { formatIp, formatMac, parseMac, summarize } from "./frame.js";
import type { RateLimit } from "./rate-limiter.js";
import type { Connection, ConnectionTableOptions } from "./connections.js";
import { SecurityGroups, type SecurityGroupInfo } from "./security-groups.js";
import type { SecurityGroupSpec, SecurityRule } from "./security-rules.js";
import { portInfo, type NetworkEvents, type PacketEvent, type PortInfo, type SegmentInfo } from "./info.js";
import {
  DEFAULT_SEGMENT,
  checkSegmentName,
  freeSubnet,
  guestAddresses,
  hostNumber,
  segmentSubnet,
  type Segment,
} from "./segments.js";
import { reportLeases, waitForLease } from "./leases.js";
import { guestMac, serverMac } from "./macs.js";
import { VirtualSwitch, type SwitchOptions, type SwitchPort } from "./switch.js";

/** How many packets the live log keeps for late viewers. */
const LOG_SIZE = 200;

interface Attached {
  guest: Guest;
  mac: number;
  port: SwitchPort;
  subscriptions: Disposable[];
}

export interface NetworkOptions extends SwitchOptions {
  /** The security groups' connection table: idle timeouts and size. */
  connections?: ConnectionTableOptions;
}

export type { NetworkEvents, PacketEvent, PortInfo, SegmentInfo } from "./info.js";
export { DEFAULT_SEGMENT, FIRST_GUEST_HOST, guestAddresses } from "./segments.js";

export class Network extends Emitter<NetworkEvents> {
  readonly switch: VirtualSwitch;
  private readonly securityGroups: SecurityGroups;
  private readonly segmentMap = new Map<string, Segment>();
  private readonly attached = new Map<string, Attached>();
  private readonly macs = new Map<string, number>();
  private readonly recent: PacketEvent[] = [];
  private nextServer = 1;

  constructor(options: NetworkOptions = {}) {
    super();
    this.switch = new VirtualSwitch(options);
    this.securityGroups = new SecurityGroups({
      clock: this.switch.clock,
      segments: () => this.segmentMap.keys(),
      connections: options.connections,
    });
    this.switch.setFilter(this.securityGroups);
    this.switch.on((event) => {
      if (event.kind === "out") return;
      const packet: PacketEvent = {
        at: event.at,
        port: event.port.name,
        segment: event.port.segment,
        length: event.frame.length,
        ...summarize(event.frame),
      };
      if (event.kind === "drop") packet.dropped = event.reason;
      this.recent.push(packet);
      if (this.recent.length > LOG_SIZE) this.recent.shift();
      this.emit("network:packet", packet);
    });
    this.defineSegment(DEFAULT_SEGMENT, "10.0.0.0/24");
  }

  /** The last packets (up to 200), oldest first, for a view that opens late. */
  get log(): readonly PacketEvent[] {
    return this.recent;
  }

  /**
   * Declares a segment (or changes an empty one's subnet). Without a subnet it gets the next
   * free 10.0.<n>.0/24.
   */
  defineSegment(name: string, subnet?: string): SegmentInfo {
    checkSegmentName(name);
    const existing = this.segmentMap.get(name);
    if (existing && (subnet === undefined || subnet === existing.subnet)) return this.segmentInfo(existing);
    // Guests that left keep no claim: a new subnet starts its numbering afresh.
    if (existing && this.segmentInfo(existing).guests.length > 0)
      throw new HyperlabError(
        "invalid-state",
        `Segment "${name}" has guests on ${existing.subnet}; its subnet cannot change to ${subnet}.`,
      );
    const { parsed, normal } = segmentSubnet(subnet ?? freeSubnet(this.subnets()));
    if (existing) this.switch.removePort(existing.serverPort);
    // The server and its port refer to each other: it sends through the port, which delivers to it.
    const server = new DhcpServer(parsed, serverMac(this.nextServer++), (frame) =>
      this.switch.receive(serverPort, frame),
    );
    const serverPort = this.switch.addPort({
      name: `dhcp@${name}`,
      segment: name,
      kind: "service",
      deliver: (frame) => server.receive(frame),
    });
    if (existing) server.enabled = existing.server.enabled;
    const guestOf = (lease: Lease) =>
      [...this.attached.values()].find((a) => a.mac === lease.mac && a.port.segment === name)?.guest;
    reportLeases(server, guestOf, {
      changed: (reason) => this.changed(reason),
      leased: (guest, address) => this.emit("network:lease", { guest, segment: name, address }),
    });
    const segment: Segment = { name, subnet: normal, server, serverPort, hosts: new Map() };
    this.segmentMap.set(name, segment);
    this.changed(`segment ${name}`);
    return this.segmentInfo(segment);
  }

  private known(name: string): Segment {
    const segment = this.segmentMap.get(name);
    if (!segment) throw new HyperlabError("invalid-spec", `There is no segment "${name}".`, { field: "segment" });
    return segment;
  }

  private subnets(): string[] {
    return [...this.segmentMap.values()].map((s) => s.subnet);
  }

  private segmentInfo(segment: Segment): SegmentInfo {
    return {
      name: segment.name,
      subnet: segment.subnet,
      server: formatIp(segment.server.ip),
      dhcp: segment.server.enabled,
      guests: [...this.attached.values()].filter((a) => a.port.segment === segment.name).map((a) => a.guest.name),
    };
  }

  get segments(): SegmentInfo[] {
    return [...this.segmentMap.values()].map((s) => this.segmentInfo(s));
  }

  /**
   * The MAC a guest's NIC gets: the spec's, or one derived from its name (so a lab file gives
   * the same MACs on every run), made unique among this hypervisor's guests.
   */
  assignMac(name: string, wanted?: string): string {
    const taken = new Set([...this.macs.entries()].filter(([n]) => n !== name).map(([, m]) => m));
    const mac = wanted ? parseMac(wanted) : guestMac(name, taken);
    this.macs.set(name, mac);
    return formatMac(mac);
  }

  /**
   * Plugs a guest's NIC into a segment, the default one unless named (a new name declares it);
   * guests with net "none" get no port. Throws before plugging anything when the segment has
   * no address left (`segment-full`) or cannot be declared.
   */
  attach(guest: Guest, segment = DEFAULT_SEGMENT): void {
    if (guest.spec.net === "none" || this.attached.has(guest.name)) return;
    this.checkRoom(segment, guest.name);
    if (!this.segmentMap.has(segment)) this.defineSegment(segment);
    const mac = parseMac(guest.spec.mac ?? this.assignMac(guest.name));
    this.macs.set(guest.name, mac);
    const port = this.switch.addPort({
      name: guest.name,
      segment,
      deliver: (frame) => {
        if (!guest.sendFrame(frame)) throw new Error("the guest is not running");
      },
    });
    const entry: Attached = { guest, mac, port, subscriptions: [] };
    entry.subscriptions.push(
      guest.on("guest:frame", ({ bytes }) => this.switch.receive(port, bytes)),
      guest.on("guest:state", ({ state }) => {
        // A machine booting anew has a DHCP client that has not asked yet.
        if (state === "booting" || state === "rebooting") this.unbind(entry);
        const held = state === "paused";
        if (held !== port.held) {
          this.switch.setHeld(port, held);
          this.changed(`${guest.name} ${state}`);
        }
      }),
    );
    this.attached.set(guest.name, entry);
    pluggedInto(guest, this);
    this.join(entry, segment);
  }

  detach(guest: Guest): void {
    const entry = this.attached.get(guest.name);
    if (!entry || entry.guest !== guest) return;
    for (const sub of entry.subscriptions) sub.dispose();
    this.securityGroups.forget(entry.port);
    this.switch.removePort(entry.port);
    this.attached.delete(guest.name);
    this.macs.delete(guest.name);
    this.changed(`${guest.name} removed`);
  }

  private entry(guest: Guest | string): Attached {
    const name = typeof guest === "string" ? guest : guest.name;
    const entry = this.attached.get(name);
    if (!entry)
      throw new HyperlabError(
        "invalid-spec",
        `Guest "${name}" has no network card (launch it with net ne2k or virtio).`,
        {
          guest: name,
        },
      );
    return entry;
  }

  private join(entry: Attached, name: string): void {
    const segment = this.segmentMap.get(name)!;
    const host = hostNumber(segment, entry.guest.name, this.guestsOn(segment), true);
    segment.server.reserve(entry.mac, host);
    this.switch.setSegment(entry.port, name);
  }

  /** A segment's guest addresses: its subnet, the guests on it now and how many it has room for. */
  addresses(segment: string): { subnet: string; guests: number; capacity: number } | undefined {
    const known = this.segmentMap.get(segment);
    if (!known) return undefined;
    const capacity = guestAddresses(known.server.subnet.prefix);
    return { subnet: known.subnet, guests: this.segmentInfo(known).guests.length, capacity };
  }

  /**
   * Throws unless guest `name` could join `segment` now: `segment-full` when it has no address
   * left; for a segment not declared yet, what declaring it would throw.
   */
  checkRoom(segment: string, name: string): void {
    const known = this.segmentMap.get(segment);
    if (known) hostNumber(known, name, this.guestsOn(known), false);
    else {
      checkSegmentName(segment);
      freeSubnet(this.subnets());
    }
  }

  private guestsOn(segment: Segment): Set<string> {
    return new Set(this.segmentInfo(segment).guests);
  }

  private unbind(entry: Attached): void {
    const lease = this.leaseOf(entry);
    if (lease) lease.bound = lease.inUse = false;
  }

  /** The lease the guest's segment holds for its MAC, if any. */
  private leaseOf(entry: Attached): Lease | undefined {
    return this.segmentMap.get(entry.port.segment)?.server.leases.get(entry.mac);
  }

  /**
   * Turns a segment's DHCP server on or off (it still answers ARP and ping at .1). Guests that
   * already hold an address keep it, as after a real server goes away, until they ask again.
   */
  setDhcp(segment: string, enabled: boolean): void {
    this.known(segment).server.enabled = enabled;
    this.changed(`segment ${segment} DHCP ${enabled ? "on" : "off"}`);
  }

  /**
   * The address a guest's own DHCP client took from its segment's server, once the guest uses
   * it (it is on the guest's eth0; see PortInfo.leased): at once if so already, else when it
   * asks (the image asks at boot, and again when an instant launch gives it its MAC). The host
   * types nothing into the guest for this. Rejects when the segment's DHCP is off or no lease
   * was taken within `timeoutMs` (default 30 s).
   */
  waitForLease(guest: Guest | string, options: { timeoutMs?: number } = {}): Promise<string> {
    return waitForLease(this, this.entry(guest).guest.name, options.timeoutMs);
  }

  /** Moves a guest's cable to another segment (declared on the fly if new). Takes effect at once. */
  setSegment(guest: Guest | string, segment: string): void {
    const entry = this.entry(guest);
    if (!this.segmentMap.has(segment)) this.defineSegment(segment);
    this.join(entry, segment);
    this.changed(`${entry.guest.name} → ${segment}`);
  }

  /** Plugs (true) or unplugs (false) a guest's cable. */
  setLink(guest: Guest | string, up: boolean): void {
    const entry = this.entry(guest);
    this.switch.setLink(entry.port, up);
    entry.guest.setCable(up);
    this.changed(`${entry.guest.name} link ${up ? "up" : "down"}`);
  }

  /** Limits what a guest may send (bytes/s and/or packets/s); undefined removes the limit. */
  setRateLimit(guest: Guest | string, limit: RateLimit | undefined): void {
    const entry = this.entry(guest);
    this.switch.setRateLimit(entry.port, limit);
    this.changed(`${entry.guest.name} rate limit`);
  }

  /** The address the guest's segment leases to it (what `udhcpc` in the guest will get). */
  addressOf(guest: Guest | string): string | undefined {
    const lease = this.leaseOf(this.entry(guest));
    return lease ? formatIp(lease.ip) : undefined;
  }

  /** Each guest's port: segment, link, lease and counters. */
  get ports(): PortInfo[] {
    return [...this.attached.values()].map((entry) => {
      const dhcp = this.segmentMap.get(entry.port.segment)!.server.enabled;
      return portInfo(entry, this.leaseOf(entry), dhcp, this.securityGroups.groupsOf(entry.port));
    });
  }

  port(guest: Guest | string): PortInfo {
    const name = this.entry(guest).guest.name;
    return this.ports.find((p) => p.guest === name)!;
  }

  /**
   * Creates security groups or replaces the rules of those with these names, checked as a set
   * (rules may name each other) before anything changes. Live: the next frame meets the new rules.
   */
  defineGroups(groups: readonly SecurityGroupSpec[]): void {
    this.securityGroups.define(groups);
    this.changed(`security groups ${groups.map((g) => g.name).join(", ")}`);
  }

  defineGroup(group: SecurityGroupSpec): void {
    this.defineGroups([group]);
  }

  /** Deletes a security group that no guest carries and no rule names. */
  removeGroup(name: string): void {
    this.securityGroups.remove(name);
    this.changed(`security group ${name} removed`);
  }

  /** Adds an inbound rule to a group (live). */
  addRule(group: string, rule: SecurityRule): void {
    this.securityGroups.addRule(group, rule);
    this.changed(`security group ${group} rule added`);
  }

  /** Removes a group's rule by its index, from 0 (live: flows only it let in are cut). */
  removeRule(group: string, index: number): void {
    this.securityGroups.removeRule(group, index);
    this.changed(`security group ${group} rule removed`);
  }

  /** Sets a guest's security groups (replacing its old ones); none opens its port again. */
  setGroups(guest: Guest | string, groups: readonly string[]): void {
    const entry = this.entry(guest);
    this.securityGroups.attach(entry.port, groups);
    this.changed(`${entry.guest.name} groups ${groups.join(", ") || "none"}`);
  }

  /** Every security group: its rules with the frames each let in, its guests, its drops. */
  get groups(): SecurityGroupInfo[] {
    return this.securityGroups.list();
  }

  /** The connections the security groups track for one guest (or for all guarded guests). */
  connections(guest?: Guest | string): Connection[] {
    return this.securityGroups.connectionsOf(guest === undefined ? undefined : this.entry(guest).port);
  }

  /** Starts capturing what one guest's port (`{port: name}`), one segment or the whole switch (`{all: true}`) sees. */
  capture(target: CaptureTarget, options?: CaptureOptions): Capture {
    if ("port" in target) this.entry(target.port);
    else if ("segment" in target) this.known(target.segment);
    return new Capture(target, this.switch, options);
  }

  private changed(reason: string): void {
    this.emit("network:change", { reason });
  }
}
