/**
 * Ethernet II frames as the guests' NICs send them (no preamble, no FCS), and the small
 * parsing the switch and its packet log need. Offsets and numbers are from IEEE 802.3,
 * RFC 826 (ARP), RFC 791 (IPv4), RFC 792 (ICMP), RFC 768 (UDP) and RFC 793 (TCP).
 */

export const ETHERNET_HEADER = 14;
/** 1500 bytes of payload + 14 of header, + 4 for an 802.1Q tag; NICs strip the FCS. */
export const MAX_FRAME = 1518;
export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_ARP = 0x0806;
export const IP_ICMP = 1;
export const IP_TCP = 6;
export const IP_UDP = 17;

export const BROADCAST_MAC = 0xffff_ffff_ffff;

/** A MAC address as a number (48 bits fit a double exactly): cheap to compare and to key a Map. */
export function macAt(bytes: Uint8Array, offset: number): number {
  return (
    (bytes[offset] * 0x100_0000 + ((bytes[offset + 1] << 16) | (bytes[offset + 2] << 8) | bytes[offset + 3])) *
      0x1_0000 +
    ((bytes[offset + 4] << 8) | bytes[offset + 5])
  );
}

/** The group bit (I/G) of the first octet: broadcast and multicast destinations. */
export function isGroupMac(bytes: Uint8Array, offset: number): boolean {
  return (bytes[offset] & 1) === 1;
}

export function formatMac(mac: number): string {
  const parts: string[] = [];
  for (let shift = 40; shift >= 0; shift -= 8)
    parts.push((Math.floor(mac / 2 ** shift) & 0xff).toString(16).padStart(2, "0"));
  return parts.join(":");
}

export function parseMac(text: string): number {
  const bytes = text.split(":").map((p) => parseInt(p, 16));
  if (bytes.length !== 6 || bytes.some((b) => !(b >= 0 && b <= 255))) throw new Error(`not a MAC address: ${text}`);
  return macAt(Uint8Array.from(bytes), 0);
}

export function writeMac(target: Uint8Array, offset: number, mac: number): void {
  for (let i = 5; i >= 0; i--) {
    target[offset + i] = mac % 256;
    mac = Math.floor(mac / 256);
  }
}

export function ipAt(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset] << 24) | (bytes[offset + 1] << 16) | (bytes[offset + 2] << 8) | bytes[offset + 3]) >>> 0;
}

export function writeIp(target: Uint8Array, offset: number, ip: number): void {
  target[offset] = ip >>> 24;
  target[offset + 1] = (ip >>> 16) & 0xff;
  target[offset + 2] = (ip >>> 8) & 0xff;
  target[offset + 3] = ip & 0xff;
}

export function formatIp(ip: number): string {
  return [ip >>> 24, (ip >>> 16) & 0xff, (ip >>> 8) & 0xff, ip & 0xff].join(".");
}

export function parseIp(text: string): number {
  const parts = text.split(".").map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255))
    throw new Error(`not an IPv4 address: ${text}`);
  return ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
}

/** The Internet checksum (RFC 1071) over `bytes[start, end)`, with `initial` folded in. */
export function checksum(bytes: Uint8Array, start: number, end: number, initial = 0): number {
  let sum = initial;
  for (let i = start; i + 1 < end; i += 2) sum += (bytes[i] << 8) | bytes[i + 1];
  if ((end - start) % 2 === 1) sum += bytes[end - 1] << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

export function etherType(frame: Uint8Array): number {
  return (frame[12] << 8) | frame[13];
}

/** What the packet log shows for one frame. */
export interface FrameSummary {
  /** Source and destination: IPv4 addresses when the frame carries IP, else MAC addresses. */
  source: string;
  destination: string;
  /** ARP, ICMP, UDP, TCP, DHCP, IPv4, or the EtherType in hex. */
  protocol: string;
  /** One line, e.g. "echo request id=3 seq=1" or "who-has 10.0.1.11 tell 10.0.1.10". */
  info: string;
}

const TCP_FLAGS = ["FIN", "SYN", "RST", "PSH", "ACK", "URG"];

/** A one-line description of a frame for the live packet log. Never throws on short frames. */
export function summarize(frame: Uint8Array): FrameSummary {
  if (frame.length < ETHERNET_HEADER)
    return { source: "?", destination: "?", protocol: "malformed", info: `${frame.length} bytes` };
  const source = formatMac(macAt(frame, 6));
  const destination = formatMac(macAt(frame, 0));
  const type = etherType(frame);
  if (type === ETHERTYPE_ARP && frame.length >= 42) {
    const op = (frame[20] << 8) | frame[21];
    const sender = formatIp(ipAt(frame, 28));
    const target = formatIp(ipAt(frame, 38));
    const info = op === 1 ? `who-has ${target} tell ${sender}` : op === 2 ? `${sender} is-at ${source}` : `op ${op}`;
    return { source, destination, protocol: "ARP", info };
  }
  if (type !== ETHERTYPE_IPV4 || frame.length < 34)
    return { source, destination, protocol: `0x${type.toString(16).padStart(4, "0")}`, info: `${frame.length} bytes` };
  const ihl = (frame[14] & 0x0f) * 4;
  const proto = frame[23];
  const ip = { source: formatIp(ipAt(frame, 26)), destination: formatIp(ipAt(frame, 30)) };
  const l4 = ETHERNET_HEADER + ihl;
  if (proto === IP_ICMP && frame.length >= l4 + 8) {
    const kind = frame[l4];
    const id = (frame[l4 + 4] << 8) | frame[l4 + 5];
    const seq = (frame[l4 + 6] << 8) | frame[l4 + 7];
    const name = kind === 8 ? "echo request" : kind === 0 ? "echo reply" : kind === 3 ? "unreachable" : `type ${kind}`;
    return { ...ip, protocol: "ICMP", info: kind === 8 || kind === 0 ? `${name} id=${id} seq=${seq}` : name };
  }
  if ((proto === IP_UDP || proto === IP_TCP) && frame.length >= l4 + 4) {
    const sport = (frame[l4] << 8) | frame[l4 + 1];
    const dport = (frame[l4 + 2] << 8) | frame[l4 + 3];
    if (proto === IP_UDP) {
      const dhcp = (sport === 67 || sport === 68) && (dport === 67 || dport === 68);
      if (dhcp) return { ...ip, protocol: "DHCP", info: dhcpInfo(frame, l4 + 8) };
      return { ...ip, protocol: "UDP", info: `${sport} → ${dport}` };
    }
    const flags = frame.length >= l4 + 14 ? TCP_FLAGS.filter((_, bit) => frame[l4 + 13] & (1 << bit)) : [];
    const payload = frame.length - l4 - (frame.length >= l4 + 13 ? (frame[l4 + 12] >> 4) * 4 : 20);
    return { ...ip, protocol: "TCP", info: `${sport} → ${dport} [${flags.join(",")}] len=${Math.max(0, payload)}` };
  }
  return { ...ip, protocol: "IPv4", info: `protocol ${proto}` };
}

const DHCP_TYPES = ["", "DISCOVER", "OFFER", "REQUEST", "DECLINE", "ACK", "NAK", "RELEASE", "INFORM"];

function dhcpInfo(frame: Uint8Array, start: number): string {
  let i = start + 240;
  while (i + 1 < frame.length && frame[i] !== 255) {
    if (frame[i] === 0) {
      i++;
      continue;
    }
    if (frame[i] === 53 && i + 2 < frame.length) return DHCP_TYPES[frame[i + 2]] ?? `type ${frame[i + 2]}`;
    i += 2 + frame[i + 1];
  }
  return "BOOTP";
}
