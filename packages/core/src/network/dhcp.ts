/**
 * The DHCP server a segment has built in (RFC 2131/2132), so that a guest gets an address
 * with plain `udhcpc`. It sits on the segment as a switch port of its own, at host .1 of the
 * subnet; it also answers ARP (RFC 826) and ICMP echo (RFC 792) for that address, so guests
 * can ping it. One lease per guest MAC; addresses are reserved by the network in a
 * predictable order (see Network), others come from a pool at .100 and up.
 */
import {
  BROADCAST_MAC,
  ETHERNET_HEADER,
  ETHERTYPE_ARP,
  ETHERTYPE_IPV4,
  IP_ICMP,
  IP_UDP,
  checksum,
  etherType,
  ipAt,
  macAt,
  writeIp,
  writeMac,
} from "./frame.js";
import { echoReply } from "./icmp.js";

export const DHCP_SERVER_PORT = 67;
export const DHCP_CLIENT_PORT = 68;
const MAGIC_COOKIE = 0x63825363;
const DISCOVER = 1;
const OFFER = 2;
const REQUEST = 3;
const ACK = 5;
const NAK = 6;
const RELEASE = 7;
export const LEASE_SECONDS = 86_400;
const POOL_START = 100;
/**
 * Addresses the pool hands out at most (.100 up, within the subnet). Each DISCOVER from a new
 * client address takes one, and a guest can make up client addresses by the thousand (DHCP
 * starvation): a bounded pool keeps the lease table, and the search for a free address, small.
 */
export const POOL_SIZE = 256;

export interface Subnet {
  /** The network address, e.g. 10.0.1.0, as a u32. */
  network: number;
  prefix: number;
}

/** A segment's prefix: /31 and /32 leave no address for a guest beside the server at .1. */
export const MIN_PREFIX = 8;
export const MAX_PREFIX = 30;
/** Decimal octets only: Number() alone would take "", "0x1" or "1e2" as octets. */
const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/**
 * The one CIDR rule, for segments and lab files alike: four octets 0–255 and a prefix from
 * /8 to /30. Host bits are cleared (10.0.1.7/24 is 10.0.1.0/24). Throws a RangeError.
 */
export function parseSubnet(cidr: string): Subnet {
  const match = typeof cidr === "string" ? CIDR.exec(cidr) : null;
  const [a, b, c, d, prefix] = match ? match.slice(1).map(Number) : [];
  if (!match || [a, b, c, d].some((octet) => octet > 255) || !(prefix >= MIN_PREFIX && prefix <= MAX_PREFIX))
    throw new RangeError(`"${cidr}" is not an IPv4 subnet from /${MIN_PREFIX} to /${MAX_PREFIX}.`);
  const ip = ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
  return { network: (ip & mask(prefix)) >>> 0, prefix };
}

/** Whether two subnets share an address: the shorter prefix's network holds the other's. */
export function subnetsOverlap(x: Subnet, y: Subnet): boolean {
  return ((x.network ^ y.network) & mask(Math.min(x.prefix, y.prefix))) === 0;
}

export function mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

export interface Lease {
  mac: number;
  ip: number;
  /** Set once the guest's client has asked for it (DHCPREQUEST acknowledged). */
  bound: boolean;
  /**
   * Set once the client is seen using the address after that: an ARP from its MAC with the
   * leased address as sender (the image's DHCP script announces it with a gratuitous ARP).
   */
  inUse?: boolean;
}

export interface DhcpCounters {
  discovers: number;
  offers: number;
  requests: number;
  acks: number;
  naks: number;
  arpReplies: number;
  echoReplies: number;
}

export class DhcpServer {
  readonly ip: number;
  readonly leases = new Map<number, Lease>();
  readonly counters: DhcpCounters = {
    discovers: 0,
    offers: 0,
    requests: 0,
    acks: 0,
    naks: 0,
    arpReplies: 0,
    echoReplies: 0,
  };

  /** Off: DHCP requests go unanswered (ARP and ping still are), so guests get no address. */
  enabled = true;
  /** Called when a client takes its lease (a REQUEST acknowledged). */
  onBound?: (lease: Lease) => void;
  /** Called when a client that took its lease is first seen using the address (see Lease.inUse). */
  onInUse?: (lease: Lease) => void;

  /**
   * @param send puts a frame on the segment (into the switch, from this server's port).
   */
  constructor(
    readonly subnet: Subnet,
    readonly mac: number,
    private readonly send: (frame: Uint8Array) => void,
  ) {
    this.ip = (subnet.network + 1) >>> 0;
  }

  /** The address of host `n` of the subnet (n = 1 is this server). */
  host(n: number): number {
    return (this.subnet.network + n) >>> 0;
  }

  get size(): number {
    return 2 ** (32 - this.subnet.prefix);
  }

  /** Reserves host `n` for `mac` (replacing what that MAC had); the guest gets it by DHCP. */
  reserve(mac: number, n: number): number {
    if (n < 2 || n >= this.size - 1) throw new RangeError(`Host ${n} is outside the subnet.`);
    const ip = this.host(n);
    for (const [other, lease] of this.leases) if (lease.ip === ip && other !== mac) this.leases.delete(other);
    this.leases.set(mac, { mac, ip, bound: false });
    return ip;
  }

  private leaseFor(mac: number): Lease | undefined {
    const known = this.leases.get(mac);
    if (known) return known;
    const taken = new Set([...this.leases.values()].map((l) => l.ip));
    for (let n = POOL_START; n < Math.min(this.size - 1, POOL_START + POOL_SIZE); n++) {
      const ip = this.host(n);
      if (!taken.has(ip)) {
        const lease = { mac, ip, bound: false };
        this.leases.set(mac, lease);
        return lease;
      }
    }
    return undefined;
  }

  /** A frame the switch delivered to this server's port. Ignores anything not for it. */
  receive(frame: Uint8Array): void {
    if (frame.length < ETHERNET_HEADER) return;
    const type = etherType(frame);
    if (type === ETHERTYPE_ARP) return this.onArp(frame);
    if (type !== ETHERTYPE_IPV4 || frame.length < 34 || frame[14] >> 4 !== 4) return;
    const l4 = ETHERNET_HEADER + (frame[14] & 0x0f) * 4;
    const proto = frame[23];
    if (proto === IP_UDP && frame.length >= l4 + 8) {
      const dport = (frame[l4 + 2] << 8) | frame[l4 + 3];
      if (dport === DHCP_SERVER_PORT) this.onDhcp(frame, l4 + 8);
      return;
    }
    if (proto === IP_ICMP) this.onEcho(frame);
  }

  private onArp(frame: Uint8Array): void {
    if (frame.length < 42) return;
    const lease = this.leases.get(macAt(frame, 22));
    if (lease?.bound && !lease.inUse && ipAt(frame, 28) === lease.ip) {
      lease.inUse = true;
      this.onInUse?.(lease);
    }
    if (((frame[20] << 8) | frame[21]) !== 1 || ipAt(frame, 38) !== this.ip) return;
    const reply = new Uint8Array(42);
    const asker = macAt(frame, 22);
    writeMac(reply, 0, asker);
    writeMac(reply, 6, this.mac);
    reply.set([0x08, 0x06, 0, 1, 0x08, 0x00, 6, 4, 0, 2], 12);
    writeMac(reply, 22, this.mac);
    writeIp(reply, 28, this.ip);
    writeMac(reply, 32, asker);
    reply.set(frame.subarray(28, 32), 38);
    this.counters.arpReplies++;
    this.send(reply);
  }

  /** Echo requests to the server's address get a reply (see icmp.ts); anything else is ignored. */
  private onEcho(frame: Uint8Array): void {
    const reply = echoReply(frame, this.mac, this.ip);
    if (!reply) return;
    this.counters.echoReplies++;
    this.send(reply);
  }

  private onDhcp(frame: Uint8Array, start: number): void {
    if (!this.enabled || frame.length < start + 240 || frame[start] !== 1) return;
    const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
    if (view.getUint32(start + 236) !== MAGIC_COOKIE || frame[start + 1] !== 1 || frame[start + 2] !== 6) return;
    const options = readOptions(frame, start + 240);
    const kind = options.get(53)?.[0];
    const mac = macAt(frame, start + 28);
    const server = options.get(54);
    if (kind === DISCOVER) {
      this.counters.discovers++;
      const lease = this.leaseFor(mac);
      if (!lease) return;
      this.counters.offers++;
      this.send(this.reply(frame, start, OFFER, lease.ip));
    } else if (kind === REQUEST) {
      // A REQUEST naming another server is the client turning us down.
      if (server && server.length === 4 && ipAt(server, 0) !== this.ip) return;
      this.counters.requests++;
      const lease = this.leaseFor(mac);
      const asked = options.get(50);
      const wanted = asked && asked.length === 4 ? ipAt(asked, 0) : ipAt(frame, start + 12);
      if (!lease || (wanted !== 0 && wanted !== lease.ip)) {
        this.counters.naks++;
        this.send(this.reply(frame, start, NAK, 0));
        return;
      }
      lease.bound = true;
      lease.inUse = false;
      this.counters.acks++;
      this.send(this.reply(frame, start, ACK, lease.ip));
      this.onBound?.(lease);
    } else if (kind === RELEASE) {
      const lease = this.leases.get(mac);
      if (lease) lease.bound = lease.inUse = false;
    }
  }

  /** An OFFER/ACK/NAK to the client's MAC, broadcast at the IP layer (it has no address yet). */
  private reply(request: Uint8Array, start: number, kind: number, yiaddr: number): Uint8Array {
    const options: number[] = [53, 1, kind, 54, 4, ...ipBytes(this.ip)];
    if (kind !== NAK) options.push(51, 4, ...u32Bytes(LEASE_SECONDS), 1, 4, ...ipBytes(mask(this.subnet.prefix)));
    options.push(255);
    const bootp = 240 + options.length;
    const udpLength = 8 + bootp;
    const ipLength = 20 + udpLength;
    const frame = new Uint8Array(Math.max(60, ETHERNET_HEADER + ipLength));
    writeMac(frame, 0, macAt(request, start + 28));
    writeMac(frame, 6, this.mac);
    frame[12] = 0x08;
    // IPv4 header.
    frame[14] = 0x45;
    frame[16] = ipLength >> 8;
    frame[17] = ipLength & 0xff;
    frame[22] = 64;
    frame[23] = IP_UDP;
    writeIp(frame, 26, this.ip);
    writeIp(frame, 30, 0xffffffff);
    const ipSum = checksum(frame, 14, 34);
    frame[24] = ipSum >> 8;
    frame[25] = ipSum & 0xff;
    // UDP header (checksum 0: none, allowed over IPv4).
    frame[34] = 0;
    frame[35] = DHCP_SERVER_PORT;
    frame[36] = 0;
    frame[37] = DHCP_CLIENT_PORT;
    frame[38] = udpLength >> 8;
    frame[39] = udpLength & 0xff;
    // BOOTP: op, htype, hlen, hops, then xid and flags from the request, yiaddr, chaddr.
    const b = 42;
    frame[b] = 2;
    frame[b + 1] = 1;
    frame[b + 2] = 6;
    frame.set(request.subarray(start + 4, start + 8), b + 4);
    frame.set(request.subarray(start + 10, start + 12), b + 10);
    writeIp(frame, b + 16, yiaddr);
    writeIp(frame, b + 20, this.ip);
    frame.set(request.subarray(start + 28, start + 44), b + 28);
    frame.set(u32Bytes(MAGIC_COOKIE), b + 236);
    frame.set(options, b + 240);
    return frame;
  }
}

function ipBytes(ip: number): number[] {
  return [ip >>> 24, (ip >>> 16) & 0xff, (ip >>> 8) & 0xff, ip & 0xff];
}

const u32Bytes = ipBytes;

/** DHCP options (code → value); stops at END or at the end of the frame. */
function readOptions(frame: Uint8Array, from: number): Map<number, Uint8Array> {
  const options = new Map<number, Uint8Array>();
  let i = from;
  while (i < frame.length && frame[i] !== 255) {
    if (frame[i] === 0) {
      i++;
      continue;
    }
    if (i + 1 >= frame.length) break;
    const length = frame[i + 1];
    if (i + 2 + length > frame.length) break;
    options.set(frame[i], frame.subarray(i + 2, i + 2 + length));
    i += 2 + length;
  }
  return options;
}

/** Unused by the server; kept for tests that build client frames. */
export const DHCP = { DISCOVER, OFFER, REQUEST, ACK, NAK, RELEASE, MAGIC_COOKIE, BROADCAST_MAC } as const;
