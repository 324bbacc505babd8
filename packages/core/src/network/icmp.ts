/**
 * ICMP echo (RFC 792) answered on the host's side of a link: the segment's DHCP server answers
 * pings to its address (dhcp.ts), and the network workload's peer answers the guest's pings
 * (workloads/paths.ts). Both build the reply here, from the request frame.
 */
import {
  ETHERNET_HEADER,
  ETHERTYPE_IPV4,
  IP_ICMP,
  checksum,
  etherType,
  ipAt,
  macAt,
  writeIp,
  writeMac,
} from "./frame.js";

const ECHO_REPLY = 0;
const ECHO_REQUEST = 8;
/** The TTL a fresh IPv4 packet starts with (Linux's default). */
const TTL = 64;

/**
 * The reply to an ICMP echo request for `ip`, sent from `mac`, or undefined when the frame is
 * not one. The reply keeps the request's identifier, sequence number and data, goes back to
 * the sender's MAC and IP, and has both checksums computed again.
 */
export function echoReply(request: Uint8Array, mac: number, ip: number): Uint8Array | undefined {
  const start = ETHERNET_HEADER;
  if (request.length < start + 20 || etherType(request) !== ETHERTYPE_IPV4 || request[start] >> 4 !== 4) return;
  const icmp = start + (request[start] & 0x0f) * 4;
  if (request[start + 9] !== IP_ICMP || ipAt(request, start + 16) !== ip) return;
  // As a host's stack drops them (RFC 1122 3.2.1): a header shorter than 20 bytes, a packet longer
  // than the frame that carries it or too short to hold its headers; a reply to one would be garbage.
  const end = start + ((request[start + 2] << 8) | request[start + 3]);
  if (icmp < start + 20 || end > request.length || end < icmp + 8 || request[icmp] !== ECHO_REQUEST) return;
  const reply = request.slice();
  writeMac(reply, 0, macAt(request, 6));
  writeMac(reply, 6, mac);
  writeIp(reply, start + 12, ip);
  writeIp(reply, start + 16, ipAt(request, start + 12));
  reply[start + 8] = TTL;
  reply[start + 10] = reply[start + 11] = 0;
  const ipSum = checksum(reply, start, icmp);
  reply[start + 10] = ipSum >> 8;
  reply[start + 11] = ipSum & 0xff;
  // The ICMP checksum covers the IP payload only (to `end`): not the padding of a short Ethernet frame.
  reply[icmp] = ECHO_REPLY;
  reply[icmp + 2] = reply[icmp + 3] = 0;
  const icmpSum = checksum(reply, icmp, end);
  reply[icmp + 2] = icmpSum >> 8;
  reply[icmp + 3] = icmpSum & 0xff;
  return reply;
}
