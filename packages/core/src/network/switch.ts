/**
 * A virtual L2 learning switch (IEEE 802.1D transparent bridging, much simplified): each guest
 * NIC is a port; source MACs are learned per segment and aged out; broadcast, multicast and
 * unknown unicast are flooded within the segment. Segments are VLAN-like: a frame never leaves
 * the segment of the port it came in on. Nothing a guest sends can make the switch throw: bad
 * frames are dropped and counted.
 */
import { ETHERNET_HEADER, MAX_FRAME, isGroupMac, macAt } from "./frame.js";
import { RateLimiter, type Clock, type RateLimit } from "./rate-limiter.js";

export type DropReason =
  "malformed" | "oversized" | "linkDown" | "rateLimited" | "heldOverflow" | "deliveryFailed" | "securityGroup";

export const DROP_REASONS: readonly DropReason[] = [
  "malformed",
  "oversized",
  "linkDown",
  "rateLimited",
  "heldOverflow",
  "deliveryFailed",
  "securityGroup",
];

/**
 * The most MAC addresses a segment's table holds, as a hardware switch's CAM table has a size: a
 * guest that sends from made-up source addresses (MAC flooding) makes the least recently seen
 * ones be forgotten (their frames are flooded until they are seen again), not the table grow.
 */
export const MAX_MAC_ENTRIES = 4096;

export interface PortCounters {
  /** Frames and bytes the switch received from this port (the guest sent them). */
  rxFrames: number;
  rxBytes: number;
  /** Frames and bytes the switch handed to this port (the guest receives them). */
  txFrames: number;
  txBytes: number;
  /** Frames dropped on the way in (rx) or out (tx) of this port, by reason. */
  drops: Record<DropReason, number>;
  /** Frames held for a paused guest right now. */
  held: number;
}

export interface PortOptions {
  name: string;
  segment: string;
  /** Hands a frame to whatever sits behind the port (a guest's NIC, a built-in service). */
  deliver(frame: Uint8Array): void;
  rateLimit?: RateLimit;
  /** "service" ports are the switch's own (DHCP); the view draws them apart. */
  kind?: "guest" | "service";
}

export interface SwitchOptions {
  /** Milliseconds; defaults to Date.now (tests inject a fake clock). */
  clock?: Clock;
  /** A learned MAC is forgotten after this long without a frame from it (802.1D default: 300 s). */
  ageingMs?: number;
  /** Most frames held for a paused port; more are dropped as `heldOverflow`. */
  holdFrames?: number;
  /** Most bytes held for a paused port. */
  holdBytes?: number;
}

/** What the switch did with a frame; capture and the packet log subscribe to these. */
export type SwitchEvent =
  | { kind: "in"; port: SwitchPort; frame: Uint8Array; at: number }
  | { kind: "out"; port: SwitchPort; frame: Uint8Array; at: number }
  | { kind: "drop"; port: SwitchPort; frame: Uint8Array; at: number; reason: DropReason; direction: "in" | "out" };

/**
 * What decides, port by port, which frames a port may be given (security groups): it sees each
 * frame a port sends (to track the connections its guest opens) and is asked before each delivery.
 */
export interface SwitchFilter {
  /** The switch accepted `frame` from `port`. */
  sent(port: SwitchPort, frame: Uint8Array): void;
  /** Whether `to` may be given `frame`, which `from` sent; false drops it as `securityGroup`. */
  admits(from: SwitchPort, to: SwitchPort, frame: Uint8Array): boolean;
}

export interface MacEntry {
  mac: number;
  port: SwitchPort;
  segment: string;
  ageMs: number;
}

function zeroDrops(): Record<DropReason, number> {
  return {
    malformed: 0,
    oversized: 0,
    linkDown: 0,
    rateLimited: 0,
    heldOverflow: 0,
    deliveryFailed: 0,
    securityGroup: 0,
  };
}

export class SwitchPort {
  linkUp = true;
  /** While held (its guest is paused) frames for it wait in `queue`, up to the switch's limits. */
  held = false;
  readonly counters: PortCounters = {
    rxFrames: 0,
    rxBytes: 0,
    txFrames: 0,
    txBytes: 0,
    drops: zeroDrops(),
    held: 0,
  };
  queue: Uint8Array[] = [];
  queuedBytes = 0;
  limiter?: RateLimiter;
  readonly kind: "guest" | "service";
  readonly deliver: (frame: Uint8Array) => void;

  constructor(
    readonly id: number,
    readonly name: string,
    public segment: string,
    options: PortOptions,
  ) {
    this.deliver = options.deliver;
    this.kind = options.kind ?? "guest";
  }

  get dropped(): number {
    return Object.values(this.counters.drops).reduce((a, b) => a + b, 0);
  }
}

type Listener = (event: SwitchEvent) => void;

export class VirtualSwitch {
  readonly clock: Clock;
  readonly ageingMs: number;
  readonly holdFrames: number;
  readonly holdBytes: number;
  private readonly portList: SwitchPort[] = [];
  /** segment → MAC → where it was last seen. */
  private readonly tables = new Map<string, Map<number, { port: SwitchPort; at: number }>>();
  private readonly listeners = new Set<Listener>();
  private filter?: SwitchFilter;
  private nextId = 1;

  constructor(options: SwitchOptions = {}) {
    this.clock = options.clock ?? Date.now;
    this.ageingMs = options.ageingMs ?? 300_000;
    this.holdFrames = options.holdFrames ?? 256;
    this.holdBytes = options.holdBytes ?? 512 * 1024;
  }

  get ports(): readonly SwitchPort[] {
    return this.portList;
  }

  addPort(options: PortOptions): SwitchPort {
    const port = new SwitchPort(this.nextId++, options.name, options.segment, options);
    if (options.rateLimit) port.limiter = new RateLimiter(options.rateLimit, this.clock);
    this.portList.push(port);
    return port;
  }

  removePort(port: SwitchPort): void {
    const i = this.portList.indexOf(port);
    if (i >= 0) this.portList.splice(i, 1);
    this.forget(port);
    port.queue = [];
    port.queuedBytes = 0;
    port.counters.held = 0;
  }

  /** Moves a port to another segment: what was learned about it in the old one is forgotten. */
  setSegment(port: SwitchPort, segment: string): void {
    if (port.segment === segment) return;
    this.forget(port);
    port.segment = segment;
  }

  /** Plugs (up) or unplugs (down) the port's cable. */
  setLink(port: SwitchPort, up: boolean): void {
    port.linkUp = up;
    if (!up) this.forget(port);
  }

  setRateLimit(port: SwitchPort, limit: RateLimit | undefined): void {
    port.limiter = limit && (limit.bytes || limit.packets) ? new RateLimiter(limit, this.clock) : undefined;
  }

  /**
   * Holds frames for a port whose guest cannot take them (paused): up to `holdFrames` frames
   * and `holdBytes` bytes wait and are delivered in order on release; the rest are dropped
   * and counted as `heldOverflow`.
   */
  setHeld(port: SwitchPort, held: boolean): void {
    port.held = held;
    if (held) return;
    const queue = port.queue;
    port.queue = [];
    port.queuedBytes = 0;
    port.counters.held = 0;
    for (const frame of queue) this.transmit(port, frame, this.clock());
  }

  /** Puts a filter in front of every port's deliveries (one at a time; undefined removes it). */
  setFilter(filter: SwitchFilter | undefined): void {
    this.filter = filter;
  }

  on(listener: Listener): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private tell(event: SwitchEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  private drop(port: SwitchPort, frame: Uint8Array, at: number, reason: DropReason, direction: "in" | "out"): void {
    port.counters.drops[reason]++;
    if (this.listeners.size) this.tell({ kind: "drop", port, frame, at, reason, direction });
  }

  /** A frame from the port's side (a guest sent it). Never throws. */
  receive(port: SwitchPort, frame: Uint8Array): void {
    const at = this.clock();
    if (!(frame instanceof Uint8Array) || frame.length < ETHERNET_HEADER) {
      this.drop(port, frame instanceof Uint8Array ? frame : new Uint8Array(0), at, "malformed", "in");
      return;
    }
    if (frame.length > MAX_FRAME) return this.drop(port, frame, at, "oversized", "in");
    // A group address as source is not a station: 802.3 forbids it.
    if (isGroupMac(frame, 6)) return this.drop(port, frame, at, "malformed", "in");
    if (!port.linkUp) return this.drop(port, frame, at, "linkDown", "in");
    if (port.limiter && !port.limiter.admit(frame.length)) return this.drop(port, frame, at, "rateLimited", "in");
    port.counters.rxFrames++;
    port.counters.rxBytes += frame.length;
    if (this.listeners.size) this.tell({ kind: "in", port, frame, at });
    this.filter?.sent(port, frame);

    let table = this.tables.get(port.segment);
    if (!table) {
      table = new Map();
      this.tables.set(port.segment, table);
    }
    // Deleted first so that the Map's order is least recently seen first.
    const source = macAt(frame, 6);
    table.delete(source);
    table.set(source, { port, at });
    if (table.size > MAX_MAC_ENTRIES) table.delete(table.keys().next().value!);

    if (!isGroupMac(frame, 0)) {
      const entry = table.get(macAt(frame, 0));
      if (entry && at - entry.at <= this.ageingMs && entry.port.segment === port.segment) {
        if (entry.port !== port) this.transmit(entry.port, frame, at, port);
        return;
      }
    }
    for (const other of this.portList)
      if (other !== port && other.segment === port.segment && other.linkUp) this.transmit(other, frame, at, port);
  }

  /** Gives `port` a frame, which `from` sent (held frames were let through when they came: no `from`). */
  private transmit(port: SwitchPort, frame: Uint8Array, at: number, from?: SwitchPort): void {
    if (!port.linkUp) return this.drop(port, frame, at, "linkDown", "out");
    if (from && this.filter && !this.filter.admits(from, port, frame))
      return this.drop(port, frame, at, "securityGroup", "out");
    if (port.held) {
      if (port.queue.length >= this.holdFrames || port.queuedBytes + frame.length > this.holdBytes)
        return this.drop(port, frame, at, "heldOverflow", "out");
      port.queue.push(frame);
      port.queuedBytes += frame.length;
      port.counters.held = port.queue.length;
      return;
    }
    try {
      port.deliver(frame);
    } catch {
      return this.drop(port, frame, at, "deliveryFailed", "out");
    }
    port.counters.txFrames++;
    port.counters.txBytes += frame.length;
    if (this.listeners.size) this.tell({ kind: "out", port, frame, at });
  }

  /** The learned addresses (aged entries are removed as they are found). */
  macTable(segment?: string): MacEntry[] {
    const now = this.clock();
    const entries: MacEntry[] = [];
    for (const [name, table] of this.tables) {
      if (segment !== undefined && name !== segment) continue;
      for (const [mac, entry] of table) {
        if (now - entry.at > this.ageingMs) table.delete(mac);
        else entries.push({ mac, port: entry.port, segment: name, ageMs: now - entry.at });
      }
    }
    return entries;
  }

  private forget(port: SwitchPort): void {
    const table = this.tables.get(port.segment);
    if (!table) return;
    for (const [mac, entry] of table) if (entry.port === port) table.delete(mac);
  }
}
