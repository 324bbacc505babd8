/**
 * The connection table that makes security groups stateful, as Linux conntrack does for
 * iptables and as EC2 tracks flows: it remembers which flows a guarded guest opened, so that
 * their answers come back in whatever the rules say, and which flows a rule let in, so that the
 * guest's answers to those do not count as connections it opened (once the rule goes, the flow
 * is cut). Entries are kept per switch port, from the guest's side (protocol, local address and
 * port, remote address and port), expire after an idle time per protocol on an injected clock,
 * and the table is bounded: when it is full, expired entries go first, then the least recently used.
 */
import { IP_ICMP, IP_TCP, formatIp } from "./frame.js";
import { ICMP_ECHO_REPLY, ICMP_ECHO_REQUEST, TCP_ACK, TCP_SYN, type Flow } from "./flow.js";
import type { Clock } from "./rate-limiter.js";

/** Who opened a connection: the guarded guest, or a peer that a rule let in. */
export type Opener = "guest" | "peer";

/** Idle times (ms) after which a connection is forgotten. */
export interface ConnectionTimeouts {
  tcp: number;
  udp: number;
  icmp: number;
}

/** TCP is given minutes, UDP and ICMP half a minute (Linux's nf_conntrack_udp_timeout and icmp_timeout are 30 s). */
export const DEFAULT_TIMEOUTS: ConnectionTimeouts = { tcp: 300_000, udp: 30_000, icmp: 30_000 };
export const DEFAULT_MAX_CONNECTIONS = 4096;

export interface ConnectionTableOptions {
  timeouts?: Partial<ConnectionTimeouts>;
  maxEntries?: number;
}

/** One tracked connection, as the table lists it. */
export interface Connection {
  /** The switch port (its id) of the guarded guest. */
  port: number;
  protocol: number;
  local: string;
  localPort: number;
  remote: string;
  remotePort: number;
  opener: Opener;
  idleMs: number;
}

interface Entry {
  port: number;
  protocol: number;
  local: number;
  localPort: number;
  remote: number;
  remotePort: number;
  opener: Opener;
  lastSeen: number;
}

type Ends = Pick<Entry, "port" | "protocol" | "local" | "localPort" | "remote" | "remotePort">;

function keyOf(e: Ends): string {
  return `${e.port}/${e.protocol}/${e.local}:${e.localPort}/${e.remote}:${e.remotePort}`;
}

/** A TCP SYN (without ACK) or an ICMP echo request: a packet that can only start an exchange. */
function starts(flow: Flow): boolean {
  if (flow.protocol === IP_TCP) return flow.tcpFlags !== undefined && (flow.tcpFlags & (TCP_SYN | TCP_ACK)) === TCP_SYN;
  return flow.protocol === IP_ICMP && flow.icmpType === ICMP_ECHO_REQUEST;
}

/** Whether a packet the guest sends opens a connection: a TCP SYN, an echo request, any UDP or other datagram. */
function opens(flow: Flow): boolean {
  return starts(flow) || (flow.protocol !== IP_TCP && flow.protocol !== IP_ICMP);
}

export class ConnectionTable {
  readonly timeouts: ConnectionTimeouts;
  readonly maxEntries: number;
  /** Connections dropped from a full table before their time. */
  evicted = 0;
  private readonly table = new Map<string, Entry>();

  constructor(
    private readonly clock: Clock,
    options: ConnectionTableOptions = {},
  ) {
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
    this.maxEntries = options.maxEntries ?? DEFAULT_MAX_CONNECTIONS;
  }

  get size(): number {
    return this.table.size;
  }

  /** The guest behind `port` sent `flow`: a connection it opens, or traffic of one already tracked. */
  sent(port: number, flow: Flow): void {
    const entry = this.find(port, flow.protocol, flow.source, flow.sourcePort, flow.destination, flow.destinationPort);
    if (entry) {
      // The same ends again, but the guest starts this exchange (a SYN on a reused port, a ping
      // whose identifier a peer's ping had): it is the guest's now.
      if (starts(flow)) entry.opener = "guest";
      return this.touch(entry);
    }
    if (!opens(flow)) return;
    this.add({
      port,
      protocol: flow.protocol,
      local: flow.source,
      localPort: flow.sourcePort,
      remote: flow.destination,
      remotePort: flow.destinationPort,
      opener: "guest",
      lastSeen: this.clock(),
    });
  }

  /**
   * Whether `flow`, on its way to the guest behind `port`, answers a connection the guest opened,
   * or is an ICMP error about a packet of one.
   */
  answers(port: number, flow: Flow): boolean {
    if (flow.inner) {
      const { inner } = flow;
      const about = this.find(
        port,
        inner.protocol,
        inner.source,
        inner.sourcePort,
        inner.destination,
        inner.destinationPort,
      );
      return about?.opener === "guest";
    }
    // An echo request is never an answer, even with the identifier of one the guest sent.
    if (flow.protocol === IP_ICMP && flow.icmpType !== ICMP_ECHO_REPLY) return false;
    const entry = this.find(port, flow.protocol, flow.destination, flow.destinationPort, flow.source, flow.sourcePort);
    if (entry?.opener !== "guest") return false;
    this.touch(entry);
    return true;
  }

  /** A rule let `flow` in to the guest behind `port`: its answers belong to this connection. */
  admitted(port: number, flow: Flow): void {
    const entry = this.find(port, flow.protocol, flow.destination, flow.destinationPort, flow.source, flow.sourcePort);
    if (entry) return this.touch(entry);
    this.add({
      port,
      protocol: flow.protocol,
      local: flow.destination,
      localPort: flow.destinationPort,
      remote: flow.source,
      remotePort: flow.sourcePort,
      opener: "peer",
      lastSeen: this.clock(),
    });
  }

  /** Forgets every connection of a port (its guest left the switch or lost its groups). */
  forgetPort(port: number): void {
    for (const [key, entry] of this.table) if (entry.port === port) this.table.delete(key);
  }

  /** The live connections, least recently used first (expired ones are removed as they are found). */
  list(port?: number): Connection[] {
    const now = this.clock();
    const out: Connection[] = [];
    for (const [key, entry] of this.table) {
      if (this.expired(entry, now)) this.table.delete(key);
      else if (port === undefined || entry.port === port)
        out.push({
          port: entry.port,
          protocol: entry.protocol,
          local: formatIp(entry.local),
          localPort: entry.localPort,
          remote: formatIp(entry.remote),
          remotePort: entry.remotePort,
          opener: entry.opener,
          idleMs: now - entry.lastSeen,
        });
    }
    return out;
  }

  private timeout(protocol: number): number {
    if (protocol === IP_TCP) return this.timeouts.tcp;
    if (protocol === IP_ICMP) return this.timeouts.icmp;
    // UDP and any other datagram protocol.
    return this.timeouts.udp;
  }

  private expired(entry: Entry, now: number): boolean {
    return now - entry.lastSeen > this.timeout(entry.protocol);
  }

  private find(
    port: number,
    protocol: number,
    local: number,
    localPort: number,
    remote: number,
    remotePort: number,
  ): Entry | undefined {
    const key = keyOf({ port, protocol, local, localPort, remote, remotePort });
    const entry = this.table.get(key);
    if (!entry) return undefined;
    if (!this.expired(entry, this.clock())) return entry;
    this.table.delete(key);
    return undefined;
  }

  /** Marks an entry used now and moves it to the end (the Map's order is least recently used first). */
  private touch(entry: Entry): void {
    const key = keyOf(entry);
    entry.lastSeen = this.clock();
    this.table.delete(key);
    this.table.set(key, entry);
  }

  private add(entry: Entry): void {
    if (this.table.size >= this.maxEntries) {
      const now = this.clock();
      for (const [key, old] of this.table) if (this.expired(old, now)) this.table.delete(key);
      while (this.table.size >= this.maxEntries) {
        this.table.delete(this.table.keys().next().value!);
        this.evicted++;
      }
    }
    this.table.set(keyOf(entry), entry);
  }
}
