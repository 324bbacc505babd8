import { describe, expect, it } from "vitest";
import { DHCP, DhcpServer, POOL_SIZE, parseSubnet } from "./dhcp.js";
import { checksum, formatIp, ipAt, macAt, parseIp, summarize, writeIp, writeMac } from "./frame.js";
import { encodePcap, parsePcap, LINKTYPE_ETHERNET } from "./pcap.js";
import { Network } from "./network.js";
import { arp } from "../testing/frames.js";
import { plugIn } from "../testing/fake-guest.js";

const CLIENT = 0x02_48_4c_00_00_01;

/** A DHCP client message as udhcpc sends it: broadcast, from 0.0.0.0:68 to :67. */
function dhcpMessage(kind: number, mac: number, options: number[] = []): Uint8Array {
  const opts = [53, 1, kind, ...options, 255];
  const frame = new Uint8Array(14 + 20 + 8 + 240 + opts.length);
  writeMac(frame, 0, DHCP.BROADCAST_MAC);
  writeMac(frame, 6, mac);
  frame[12] = 0x08;
  frame[14] = 0x45;
  frame[23] = 17;
  writeIp(frame, 30, 0xffffffff);
  frame[35] = 68;
  frame[37] = 67;
  const b = 42;
  frame[b] = 1;
  frame[b + 1] = 1;
  frame[b + 2] = 6;
  frame.set([0xde, 0xad, 0xbe, 0xef], b + 4);
  writeMac(frame, b + 28, mac);
  new DataView(frame.buffer).setUint32(b + 236, DHCP.MAGIC_COOKIE);
  frame.set(opts, b + 240);
  return frame;
}

function options(reply: Uint8Array): Map<number, Uint8Array> {
  const map = new Map<number, Uint8Array>();
  let i = 42 + 240;
  while (reply[i] !== 255) {
    map.set(reply[i], reply.subarray(i + 2, i + 2 + reply[i + 1]));
    i += 2 + reply[i + 1];
  }
  return map;
}

describe("DhcpServer", () => {
  it("offers and acknowledges the reserved address, with mask and lease time", () => {
    const sent: Uint8Array[] = [];
    const server = new DhcpServer(parseSubnet("10.0.3.0/24"), 0x02_48_4c_ff_00_01, (f) => sent.push(f));
    server.reserve(CLIENT, 10);
    server.receive(dhcpMessage(DHCP.DISCOVER, CLIENT));
    expect(sent).toHaveLength(1);
    const offer = sent[0];
    expect(macAt(offer, 0)).toBe(CLIENT);
    expect(formatIp(ipAt(offer, 42 + 16))).toBe("10.0.3.10");
    expect([...offer.subarray(42 + 4, 42 + 8)]).toEqual([0xde, 0xad, 0xbe, 0xef]);
    expect(options(offer).get(53)![0]).toBe(DHCP.OFFER);
    expect(formatIp(ipAt(options(offer).get(1)!, 0))).toBe("255.255.255.0");
    expect(checksum(offer, 14, 34)).toBe(0);
    expect(summarize(offer)).toMatchObject({ protocol: "DHCP", info: "OFFER", source: "10.0.3.1" });

    server.receive(dhcpMessage(DHCP.REQUEST, CLIENT, [50, 4, 10, 0, 3, 10, 54, 4, 10, 0, 3, 1]));
    expect(options(sent[1]).get(53)![0]).toBe(DHCP.ACK);
    expect(server.leases.get(CLIENT)).toMatchObject({ bound: true, ip: parseIp("10.0.3.10") });
    // Asking for another address is refused.
    server.receive(dhcpMessage(DHCP.REQUEST, CLIENT, [50, 4, 10, 0, 3, 99]));
    expect(options(sent[2]).get(53)![0]).toBe(DHCP.NAK);
    expect(server.counters).toMatchObject({ discovers: 1, offers: 1, requests: 2, acks: 1, naks: 1 });
  });

  it("tells when a client uses its lease (an ARP from the leased address), and answers no DHCP when off", () => {
    const sent: Uint8Array[] = [];
    const server = new DhcpServer(parseSubnet("10.0.3.0/24"), 0x02_48_4c_ff_00_01, (f) => sent.push(f));
    const bound: string[] = [];
    const used: string[] = [];
    server.onBound = (lease) => bound.push(formatIp(lease.ip));
    server.onInUse = (lease) => used.push(formatIp(lease.ip));
    server.reserve(CLIENT, 10);
    // An ARP before the lease is taken, or from another address, says nothing.
    server.receive(arp({ from: "10.0.3.10", to: "10.0.3.10", srcMac: CLIENT }));
    server.receive(dhcpMessage(DHCP.REQUEST, CLIENT, [50, 4, 10, 0, 3, 10]));
    expect([bound, used]).toEqual([["10.0.3.10"], []]);
    server.receive(arp({ from: "10.9.0.1", to: "10.9.0.2", srcMac: CLIENT }));
    expect(used).toEqual([]);
    // The gratuitous ARP the image's DHCP script sends once the address is on the interface.
    server.receive(arp({ from: "10.0.3.10", to: "10.0.3.10", srcMac: CLIENT }));
    server.receive(arp({ from: "10.0.3.10", to: "10.0.3.1", srcMac: CLIENT }));
    expect(used).toEqual(["10.0.3.10"]);
    expect(server.leases.get(CLIENT)).toMatchObject({ bound: true, inUse: true });
    // A renewal starts over: in use again once the client says so.
    server.receive(dhcpMessage(DHCP.REQUEST, CLIENT, [50, 4, 10, 0, 3, 10]));
    expect(server.leases.get(CLIENT)?.inUse).toBe(false);
    server.receive(arp({ from: "10.0.3.10", to: "10.0.3.10", srcMac: CLIENT }));
    expect(used).toEqual(["10.0.3.10", "10.0.3.10"]);
    // Off: DISCOVER and REQUEST go unanswered; ARP for .1 is still answered.
    server.enabled = false;
    const before = sent.length;
    server.receive(dhcpMessage(DHCP.DISCOVER, CLIENT));
    server.receive(dhcpMessage(DHCP.REQUEST, CLIENT, [50, 4, 10, 0, 3, 10]));
    expect(sent).toHaveLength(before);
    server.receive(arp({ from: "10.0.3.10", to: "10.0.3.1", srcMac: CLIENT }));
    expect(sent).toHaveLength(before + 1);
  });

  it("gives unknown clients pool addresses from .100 and ignores garbage", () => {
    const sent: Uint8Array[] = [];
    const server = new DhcpServer(parseSubnet("10.0.0.0/24"), 0x02_48_4c_ff_00_01, (f) => sent.push(f));
    for (const junk of [new Uint8Array(0), new Uint8Array(20), dhcpMessage(DHCP.DISCOVER, CLIENT).subarray(0, 100)])
      expect(() => server.receive(junk)).not.toThrow();
    expect(sent).toHaveLength(0);
    server.receive(dhcpMessage(DHCP.DISCOVER, CLIENT));
    server.receive(dhcpMessage(DHCP.DISCOVER, CLIENT + 1));
    expect(sent.map((f) => formatIp(ipAt(f, 42 + 16)))).toEqual(["10.0.0.100", "10.0.0.101"]);
  });

  it("keeps at most POOL_SIZE pool leases however many made-up client addresses ask (DHCP starvation)", () => {
    // A /8 has room for 16 million pool leases; each DISCOVER from a new chaddr took one, and each
    // took longer than the last (the free address was searched for among all of them).
    const server = new DhcpServer(parseSubnet("10.0.0.0/8"), 0x02_48_4c_ff_00_01, () => undefined);
    server.reserve(CLIENT, 10);
    const started = performance.now();
    for (let i = 1; i <= 20_000; i++) server.receive(dhcpMessage(DHCP.DISCOVER, 0x02_00_00_00_00_00 + i));
    expect(server.leases.size).toBe(1 + POOL_SIZE);
    expect(server.counters.offers).toBe(POOL_SIZE);
    expect(performance.now() - started).toBeLessThan(5_000);
    // The guest it reserved an address for still gets it.
    const sent: Uint8Array[] = [];
    const answering = new DhcpServer(parseSubnet("10.0.0.0/8"), 0x02_48_4c_ff_00_01, (f) => sent.push(f));
    answering.reserve(CLIENT, 10);
    for (let i = 1; i <= 2 * POOL_SIZE; i++) answering.receive(dhcpMessage(DHCP.DISCOVER, 0x02_00_00_00_00_00 + i));
    sent.length = 0;
    answering.receive(dhcpMessage(DHCP.DISCOVER, CLIENT));
    expect(formatIp(ipAt(sent[0], 42 + 16))).toBe("10.0.0.10");
  });

  it("answers ARP and ping for its own address", () => {
    const sent: Uint8Array[] = [];
    const server = new DhcpServer(parseSubnet("10.0.0.0/24"), 0x02_48_4c_ff_00_01, (f) => sent.push(f));
    const arp = new Uint8Array(42);
    writeMac(arp, 0, DHCP.BROADCAST_MAC);
    writeMac(arp, 6, CLIENT);
    arp.set([0x08, 0x06, 0, 1, 0x08, 0, 6, 4, 0, 1], 12);
    writeMac(arp, 22, CLIENT);
    writeIp(arp, 28, parseIp("10.0.0.10"));
    writeIp(arp, 38, parseIp("10.0.0.1"));
    server.receive(arp);
    expect(summarize(sent[0])).toMatchObject({ protocol: "ARP", info: "10.0.0.1 is-at 02:48:4c:ff:00:01" });

    const ping = new Uint8Array(14 + 20 + 16);
    writeMac(ping, 0, 0x02_48_4c_ff_00_01);
    writeMac(ping, 6, CLIENT);
    ping[12] = 0x08;
    ping.set([0x45, 0, 0, 36], 14);
    ping[22] = 64;
    ping[23] = 1;
    writeIp(ping, 26, parseIp("10.0.0.10"));
    writeIp(ping, 30, parseIp("10.0.0.1"));
    ping.set([8, 0, 0, 0, 0, 7, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8], 34);
    server.receive(ping);
    const reply = sent[1];
    expect(summarize(reply)).toMatchObject({
      protocol: "ICMP",
      source: "10.0.0.1",
      destination: "10.0.0.10",
      info: "echo reply id=7 seq=1",
    });
    expect(checksum(reply, 14, 34)).toBe(0);
    expect(checksum(reply, 34, 50)).toBe(0);
  });
});

describe("pcap", () => {
  it("writes libpcap with link type 1 and reads it back", () => {
    const frames = [
      { at: 1_700_000_000_123.456, bytes: Uint8Array.from({ length: 60 }, (_, i) => i) },
      { at: 1_700_000_001_000, bytes: new Uint8Array(1514).fill(7) },
    ];
    const file = encodePcap(frames);
    expect(file.length).toBe(24 + 16 + 60 + 16 + 1514);
    expect([...file.subarray(0, 4)]).toEqual([0xd4, 0xc3, 0xb2, 0xa1]);
    const parsed = parsePcap(file);
    expect(parsed.linkType).toBe(LINKTYPE_ETHERNET);
    expect(parsed.snaplen).toBe(65535);
    expect(parsed.frames.map((f) => f.bytes)).toEqual(frames.map((f) => f.bytes));
    expect(parsed.frames[0].at).toBeCloseTo(1_700_000_000_123.456, 2);
    expect(() => parsePcap(file.subarray(0, file.length - 1))).toThrow(
      expect.objectContaining({ name: "HyperlabError", code: "capture-corrupt" }),
    );
  });
});

describe("Network", () => {
  const attach = plugIn;

  it("gives predictable MACs and addresses per segment, in join order", () => {
    const one = new Network();
    const two = new Network();
    expect(one.assignMac("alice")).toBe(two.assignMac("alice"));
    expect(one.assignMac("alice")).toMatch(/^02:48:4c:/);
    one.defineSegment("lan", "10.0.1.0/24");
    const [a, b] = [attach(one, "alice"), attach(one, "bob")];
    attach(one, "nonic", "none");
    one.setSegment("alice", "lan");
    one.setSegment("bob", "lan");
    expect(one.addressOf("alice")).toBe("10.0.1.10");
    expect(one.addressOf("bob")).toBe("10.0.1.11");
    one.setSegment("bob", "dmz");
    expect(one.segments.find((s) => s.name === "dmz")).toMatchObject({ subnet: "10.0.2.0/24", server: "10.0.2.1" });
    expect(one.addressOf("bob")).toBe("10.0.2.10");
    one.setSegment("bob", "lan");
    expect(one.addressOf("bob")).toBe("10.0.1.11"); // its lease on lan is kept
    expect(one.ports.map((p) => p.guest)).toEqual(["alice", "bob"]);
    expect(() => one.setLink("nonic", false)).toThrow(/no network card/);
    void a;
    void b;
  });

  it("leases by DHCP through the switch, logs packets, captures, and holds frames for a paused guest", () => {
    const network = new Network();
    const packets: string[] = [];
    network.on("network:packet", (p) => packets.push(`${p.port} ${p.protocol} ${p.info}`));
    const a = attach(network, "a");
    const b = attach(network, "b");
    const capture = network.capture({ segment: "default" });
    const mac = macAt(new Uint8Array(a.spec.mac!.split(":").map((x) => parseInt(x, 16))), 0);
    a.send(dhcpMessage(DHCP.DISCOVER, mac));
    // a's MAC was learned from its DISCOVER, so the OFFER goes to a alone.
    expect(a.received).toHaveLength(1);
    expect(b.received).toHaveLength(1); // b saw a's broadcast DISCOVER only
    expect(packets).toEqual(["a DHCP DISCOVER", "dhcp@default DHCP OFFER"]);
    expect(formatIp(ipAt(a.received[0], 42 + 16))).toBe("10.0.0.10");

    b.setState("paused");
    a.send(dhcpMessage(DHCP.DISCOVER, mac));
    expect(b.received).toHaveLength(1);
    expect(network.port("b")).toMatchObject({ held: true, counters: { held: 1 } });
    b.setState("running");
    expect(b.received).toHaveLength(2);

    network.setLink("a", false);
    expect(a.cable).toBe(false);
    a.send(dhcpMessage(DHCP.DISCOVER, mac));
    expect(network.port("a").counters.drops.linkDown).toBe(1);
    expect(packets.at(-1)).toBe("a DHCP DISCOVER");
    capture.stop();
    const pcap = parsePcap(capture.pcap());
    expect(pcap.frames.map((f) => summarize(f.bytes).info)).toEqual(["DISCOVER", "OFFER", "DISCOVER", "OFFER"]);
  });
});
