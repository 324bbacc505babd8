/**
 * The IPv4 flow a frame belongs to, as security groups match it and the connection table keys
 * it: protocol, addresses, ports (TCP, UDP) or the echo identifier (ICMP echo), and for ICMP
 * errors the packet the error is about (RFC 792: its IP header and first 8 bytes follow the
 * ICMP header). These are bytes a guest sent: every offset is checked against the frame's
 * length, and what cannot be read is `undefined`, never a throw.
 */
import { ETHERNET_HEADER, ETHERTYPE_IPV4, IP_ICMP, IP_TCP, IP_UDP, etherType, ipAt } from "./frame.js";

export interface Flow {
  /** The IP protocol number (1 ICMP, 6 TCP, 17 UDP, …). */
  protocol: number;
  source: number;
  destination: number;
  /** TCP and UDP ports; for ICMP echo both are the echo identifier; otherwise 0. */
  sourcePort: number;
  destinationPort: number;
  /** TCP: the flags byte (FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10). */
  tcpFlags?: number;
  /** ICMP: type and code. */
  icmpType?: number;
  icmpCode?: number;
  /** ICMP errors (unreachable, time exceeded, parameter problem): the packet that caused it. */
  inner?: Flow;
}

export const TCP_SYN = 0x02;
export const TCP_ACK = 0x10;
export const ICMP_ECHO_REPLY = 0;
export const ICMP_ECHO_REQUEST = 8;
/** RFC 792 errors that quote the offending packet. */
const ICMP_ERRORS = new Set([3, 11, 12]);
const IP_HEADER_MIN = 20;
const ICMP_HEADER = 8;

/** The flow of the IPv4 packet at `offset` (which may be inside an ICMP error), if it can be read. */
function packetAt(bytes: Uint8Array, offset: number, end: number, quoted: boolean): Flow | undefined {
  if (offset + IP_HEADER_MIN > end || bytes[offset] >> 4 !== 4) return undefined;
  const ihl = (bytes[offset] & 0x0f) * 4;
  if (ihl < IP_HEADER_MIN || offset + ihl > end) return undefined;
  const flow: Flow = {
    protocol: bytes[offset + 9],
    source: ipAt(bytes, offset + 12),
    destination: ipAt(bytes, offset + 16),
    sourcePort: 0,
    destinationPort: 0,
  };
  // A fragment after the first carries no transport header: it is matched by protocol and address only.
  const fragmentOffset = ((bytes[offset + 6] & 0x1f) << 8) | bytes[offset + 7];
  if (fragmentOffset !== 0) return flow;
  const l4 = offset + ihl;
  if ((flow.protocol === IP_TCP || flow.protocol === IP_UDP) && l4 + 4 <= end) {
    flow.sourcePort = (bytes[l4] << 8) | bytes[l4 + 1];
    flow.destinationPort = (bytes[l4 + 2] << 8) | bytes[l4 + 3];
    if (flow.protocol === IP_TCP && l4 + 14 <= end) flow.tcpFlags = bytes[l4 + 13];
  } else if (flow.protocol === IP_ICMP && l4 + 4 <= end) {
    flow.icmpType = bytes[l4];
    flow.icmpCode = bytes[l4 + 1];
    const echo = flow.icmpType === ICMP_ECHO_REQUEST || flow.icmpType === ICMP_ECHO_REPLY;
    if (echo && l4 + ICMP_HEADER <= end) flow.sourcePort = flow.destinationPort = (bytes[l4 + 4] << 8) | bytes[l4 + 5];
    // One level only: an error about an error is not followed.
    if (!quoted && ICMP_ERRORS.has(flow.icmpType)) flow.inner = packetAt(bytes, l4 + ICMP_HEADER, end, true);
  }
  return flow;
}

/** The IPv4 flow of an Ethernet frame, or undefined for ARP, IPv6, other EtherTypes and bad headers. */
export function flowOf(frame: Uint8Array): Flow | undefined {
  if (frame.length < ETHERNET_HEADER || etherType(frame) !== ETHERTYPE_IPV4) return undefined;
  return packetAt(frame, ETHERNET_HEADER, frame.length, false);
}

/** Whether an ICMP type is an echo (request or reply), whose identifier ties request and reply together. */
export function isEcho(flow: Flow): boolean {
  return flow.icmpType === ICMP_ECHO_REQUEST || flow.icmpType === ICMP_ECHO_REPLY;
}
