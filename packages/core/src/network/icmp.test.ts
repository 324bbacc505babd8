import { describe, expect, it } from "vitest";
import { checksum, macAt, parseIp, summarize, writeIp, writeMac } from "./frame.js";
import { echoReply } from "./icmp.js";

const HOST_MAC = 0x02_00_00_00_00_02;
const GUEST_MAC = 0x02_00_00_00_00_01;
const HOST_IP = parseIp("10.9.0.2");
const GUEST_IP = parseIp("10.9.0.1");

/** An echo request from the guest to `to`, padded to `length` bytes like a short Ethernet frame. */
function ping(to = HOST_IP, type = 8, length = 60): Uint8Array {
  const frame = new Uint8Array(length);
  writeMac(frame, 0, HOST_MAC);
  writeMac(frame, 6, GUEST_MAC);
  frame[12] = 0x08;
  frame.set([0x45, 0, 0, 36], 14);
  frame[22] = 33;
  frame[23] = 1;
  writeIp(frame, 26, GUEST_IP);
  writeIp(frame, 30, to);
  frame.set([type, 0, 0, 0, 0, 7, 0, 3, 1, 2, 3, 4, 5, 6, 7, 8], 34);
  return frame;
}

describe("echoReply", () => {
  it("sends the request back to its sender as an echo reply with valid checksums", () => {
    const request = ping();
    const reply = echoReply(request, HOST_MAC, HOST_IP)!;
    expect(reply.length).toBe(request.length);
    expect(macAt(reply, 0)).toBe(GUEST_MAC);
    expect(macAt(reply, 6)).toBe(HOST_MAC);
    expect(summarize(reply)).toMatchObject({
      source: "10.9.0.2",
      destination: "10.9.0.1",
      protocol: "ICMP",
      info: "echo reply id=7 seq=3",
    });
    expect(reply[22]).toBe(64);
    expect(checksum(reply, 14, 34)).toBe(0);
    expect(checksum(reply, 34, 50)).toBe(0);
    expect([...reply.subarray(42, 50)]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    // The request is left as it was.
    expect(macAt(request, 0)).toBe(HOST_MAC);
  });

  it("does not answer a request a host's stack would drop: a truncated packet, a short header or total length", () => {
    // Found by fuzzing: a total length of 32042 in a 60-byte frame got a reply whose ICMP checksum
    // covered only what the frame held and whose header still claimed 32042 bytes.
    const truncated = ping();
    truncated.set([0x7d, 0x2a], 16);
    expect(echoReply(truncated, HOST_MAC, HOST_IP)).toBeUndefined();
    const tooShort = ping();
    tooShort.set([0, 24], 16); // 20 bytes of IP header + 4: no room for the ICMP header
    expect(echoReply(tooShort, HOST_MAC, HOST_IP)).toBeUndefined();
    const shortHeader = ping();
    shortHeader[14] = 0x41; // IHL 1: the "ICMP header" would be the IP header's own bytes
    shortHeader[18] = 8;
    expect(echoReply(shortHeader, HOST_MAC, HOST_IP)).toBeUndefined();
  });

  it("ignores requests for other addresses, other ICMP types and other frames", () => {
    expect(echoReply(ping(parseIp("10.9.0.3")), HOST_MAC, HOST_IP)).toBeUndefined();
    expect(echoReply(ping(HOST_IP, 0), HOST_MAC, HOST_IP)).toBeUndefined();
    expect(echoReply(ping().subarray(0, 40), HOST_MAC, HOST_IP)).toBeUndefined();
    const arp = ping();
    arp[13] = 0x06;
    expect(echoReply(arp, HOST_MAC, HOST_IP)).toBeUndefined();
  });
});
