/**
 * IPv4 frames for unit tests of the switch and security groups: Ethernet II + IPv4 (20-byte
 * header) + the start of a TCP, UDP or ICMP header, padded to Ethernet's 60-byte minimum.
 * Checksums are left zero: nothing on the host side of the switch checks them.
 */
import { parseIp, writeIp, writeMac } from "../network/frame.js";

export interface PacketOptions {
  from: string;
  to: string;
  srcMac?: number;
  dstMac?: number;
}

function ipv4(
  protocol: number,
  l4: number[],
  { from, to, srcMac = 0x02_00_00_00_00_01, dstMac = 0x02_00_00_00_00_02 }: PacketOptions,
): Uint8Array {
  const frame = new Uint8Array(Math.max(60, 34 + l4.length));
  writeMac(frame, 0, dstMac);
  writeMac(frame, 6, srcMac);
  frame[12] = 0x08;
  const total = 20 + l4.length;
  frame.set([0x45, 0, total >> 8, total & 0xff, 0, 0, 0x40, 0, 64, protocol], 14);
  writeIp(frame, 26, parseIp(from));
  writeIp(frame, 30, parseIp(to));
  frame.set(l4, 34);
  return frame;
}

export const SYN = 0x02;
export const ACK = 0x10;

export function tcp(options: PacketOptions & { sport: number; dport: number; flags?: number }): Uint8Array {
  const { sport, dport, flags = ACK } = options;
  return ipv4(
    6,
    [sport >> 8, sport & 0xff, dport >> 8, dport & 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0x50, flags, 0xff, 0xff, 0, 0, 0, 0],
    options,
  );
}

export function udp(options: PacketOptions & { sport: number; dport: number }): Uint8Array {
  const { sport, dport } = options;
  return ipv4(17, [sport >> 8, sport & 0xff, dport >> 8, dport & 0xff, 0, 8, 0, 0], options);
}

/** An ICMP echo request (type 8) or reply (type 0) with identifier `id`. */
export function echo(options: PacketOptions & { type: 0 | 8; id: number }): Uint8Array {
  const { type, id } = options;
  return ipv4(1, [type, 0, 0, 0, id >> 8, id & 0xff, 0, 1], options);
}

/** An ICMP destination unreachable (type 3, code 3: port) about `about` (an IPv4 frame). */
export function unreachable(options: PacketOptions & { about: Uint8Array }): Uint8Array {
  const quoted = [...options.about.subarray(14, 14 + 28)];
  return ipv4(1, [3, 3, 0, 0, 0, 0, 0, 0, ...quoted], options);
}

/** An ARP request from `from` for `to`. */
export function arp({ from, to, srcMac = 0x02_00_00_00_00_01 }: PacketOptions): Uint8Array {
  const frame = new Uint8Array(60);
  writeMac(frame, 0, 0xffff_ffff_ffff);
  writeMac(frame, 6, srcMac);
  frame.set([0x08, 0x06, 0, 1, 0x08, 0, 6, 4, 0, 1], 12);
  writeMac(frame, 22, srcMac);
  writeIp(frame, 28, parseIp(from));
  writeIp(frame, 38, parseIp(to));
  return frame;
}

/** A DHCPDISCOVER as udhcpc sends it: broadcast, from 0.0.0.0:68 to 255.255.255.255:67 (RFC 2131). */
export function dhcpDiscover(mac: number): Uint8Array {
  const frame = udp({
    from: "0.0.0.0",
    to: "255.255.255.255",
    sport: 68,
    dport: 67,
    srcMac: mac,
    dstMac: 0xffff_ffff_ffff,
  });
  const message = new Uint8Array(frame.length - 42 < 244 ? 42 + 244 : frame.length);
  message.set(frame.subarray(0, 42));
  const bootp = 42;
  message.set([1, 1, 6], bootp); // op BOOTREQUEST, Ethernet, 6-byte addresses
  message.set([0xde, 0xad, 0xbe, 0xef], bootp + 4);
  writeMac(message, bootp + 28, mac);
  message.set([0x63, 0x82, 0x53, 0x63, 53, 1, 1, 255], bootp + 236); // magic cookie, DISCOVER, end
  return message;
}
