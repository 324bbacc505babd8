import { describe, expect, it } from "vitest";
import { arp, echo, SYN, tcp, udp, unreachable } from "../testing/frames.js";
import { formatIp } from "./frame.js";
import { flowOf } from "./flow.js";

const ends = { from: "10.0.1.11", to: "10.0.1.10" };

describe("flowOf", () => {
  it("reads protocol, addresses and ports of TCP and UDP, and the TCP flags", () => {
    const flow = flowOf(tcp({ ...ends, sport: 40000, dport: 80, flags: SYN }))!;
    expect([flow.protocol, formatIp(flow.source), formatIp(flow.destination)]).toEqual([6, "10.0.1.11", "10.0.1.10"]);
    expect([flow.sourcePort, flow.destinationPort, flow.tcpFlags]).toEqual([40000, 80, SYN]);
    expect(flowOf(udp({ ...ends, sport: 68, dport: 67 }))).toMatchObject({
      protocol: 17,
      sourcePort: 68,
      destinationPort: 67,
    });
  });

  it("takes an echo's identifier as both ports, and follows an ICMP error to the packet it is about", () => {
    expect(flowOf(echo({ ...ends, type: 8, id: 0x1234 }))).toMatchObject({
      protocol: 1,
      icmpType: 8,
      sourcePort: 0x1234,
      destinationPort: 0x1234,
    });
    const sent = udp({ from: "10.0.1.10", to: "10.0.1.11", sport: 5000, dport: 53 });
    const error = flowOf(unreachable({ ...ends, about: sent }))!;
    expect(error).toMatchObject({ icmpType: 3, icmpCode: 3, sourcePort: 0 });
    expect(error.inner).toMatchObject({ protocol: 17, sourcePort: 5000, destinationPort: 53 });
    expect(formatIp(error.inner!.source)).toBe("10.0.1.10");
  });

  it("has no flow for ARP, IPv6 or a header it cannot read, and never throws on a short frame", () => {
    expect(flowOf(arp(ends))).toBeUndefined();
    const v6 = tcp({ ...ends, sport: 1, dport: 2 });
    v6[12] = 0x86;
    v6[13] = 0xdd;
    expect(flowOf(v6)).toBeUndefined();
    const badIhl = tcp({ ...ends, sport: 1, dport: 2 });
    badIhl[14] = 0x44; // IHL 4 words: shorter than an IPv4 header
    expect(flowOf(badIhl)).toBeUndefined();
    const huge = tcp({ ...ends, sport: 1, dport: 2 }).subarray(0, 40);
    huge[14] = 0x4f; // IHL 60 bytes, past the end
    expect(flowOf(huge)).toBeUndefined();
    const frame = unreachable({ ...ends, about: tcp({ ...ends, sport: 1, dport: 2 }) });
    for (let length = 0; length <= frame.length; length++)
      expect(() => flowOf(frame.subarray(0, length))).not.toThrow();
    // Cut inside the TCP header: addresses, but no ports.
    expect(flowOf(tcp({ ...ends, sport: 7, dport: 8 }).subarray(0, 36))).toMatchObject({ protocol: 6, sourcePort: 0 });
  });

  it("matches a later fragment by protocol and addresses only", () => {
    const fragment = udp({ ...ends, sport: 5000, dport: 53 });
    fragment[20] = 0x00;
    fragment[21] = 0xb9; // fragment offset 185 × 8 bytes
    expect(flowOf(fragment)).toMatchObject({ protocol: 17, sourcePort: 0, destinationPort: 0 });
  });
});
