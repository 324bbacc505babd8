/**
 * Fuzzing the network's packet path with what guests can send: any bytes as an Ethernet frame,
 * and real frames (ARP, ICMP echo and errors, TCP, UDP, DHCP) with their bytes damaged. Nothing
 * a guest sends may make the switch, the packet log, the security groups, the DHCP server or the
 * capture throw, and what the host answers is well formed. Everything stays bounded: the switch's
 * address table, the DHCP leases, the connection table, the packet log.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Guest } from "../guest/guest.js";
import { plugIn, type FakeGuest } from "../testing/fake-guest.js";
import { arp, dhcpDiscover, echo, tcp, udp, unreachable, SYN } from "../testing/frames.js";
import { applyEdits, byteEdits, fuzz } from "../testing/fuzz.js";
import { DhcpServer, parseSubnet } from "./dhcp.js";
import { flowOf } from "./flow.js";
import { checksum, ipAt, macAt, parseIp, summarize } from "./frame.js";
import { echoReply } from "./icmp.js";
import { Network } from "./network.js";
import { parsePcap } from "./pcap.js";
import { parsePcapng } from "./pcapng.js";
import { MAX_MAC_ENTRIES, VirtualSwitch, type SwitchPort } from "./switch.js";

const A = "10.0.0.10";
const B = "10.0.0.11";
const SERVER = "10.0.0.1";

/** A DHCPREQUEST for `ip` from `mac` (option 50, and option 54 naming the server). */
function dhcpRequest(mac: number, ip = parseIp(A)): Uint8Array {
  const frame = new Uint8Array(42 + 300);
  frame.set(dhcpDiscover(mac));
  frame.set(
    [0x63, 0x82, 0x53, 0x63, 53, 1, 3, 50, 4, ip >>> 24, (ip >>> 16) & 0xff, (ip >>> 8) & 0xff, ip & 0xff],
    42 + 236,
  );
  frame.set([54, 4, 10, 0, 0, 1, 255], 42 + 236 + 13);
  return frame;
}

const GUEST_MAC = 0x02_48_4c_00_00_01;
/** Real frames of every kind the packet path reads, as a guest would send them. */
const realFrames: Uint8Array[] = [
  arp({ from: A, to: SERVER }),
  arp({ from: A, to: B }),
  echo({ from: A, to: SERVER, type: 8, id: 7 }),
  echo({ from: A, to: B, type: 0, id: 7 }),
  tcp({ from: A, to: B, sport: 40000, dport: 80, flags: SYN }),
  tcp({ from: B, to: A, sport: 80, dport: 40000 }),
  udp({ from: A, to: B, sport: 5000, dport: 53 }),
  unreachable({ from: B, to: A, about: udp({ from: A, to: B, sport: 5000, dport: 53 }) }),
  dhcpDiscover(GUEST_MAC),
  dhcpRequest(GUEST_MAC),
];

/** Any bytes, a real frame, or a real frame damaged (most edits in its headers). */
const frame: fc.Arbitrary<Uint8Array> = fc.oneof(
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 1600 }) },
  { weight: 1, arbitrary: fc.constantFrom(...realFrames) },
  {
    weight: 5,
    arbitrary: fc
      .tuple(fc.constantFrom(...realFrames), byteEdits({ maxEdits: 4, span: 300 }))
      .map(([f, edits]) => applyEdits(f, edits)),
  },
);

describe("frame parsing (fuzzed)", () => {
  const { title, options } = fuzz("summarize and flowOf read any frame without throwing", 5000);
  it(title, () => {
    fc.assert(
      fc.property(frame, (bytes) => {
        const summary = summarize(bytes);
        for (const text of Object.values(summary)) expect(typeof text).toBe("string");
        const flow = flowOf(bytes);
        if (flow) expect(Number.isInteger(flow.protocol) && Number.isInteger(flow.sourcePort)).toBe(true);
      }),
      options,
    );
  });
});

/** The IPv4 header at 14 checksums to zero, as a receiver checks it. */
function ipHeaderVerifies(bytes: Uint8Array): boolean {
  const ihl = (bytes[14] & 0x0f) * 4;
  return bytes[14] >> 4 === 4 && ihl >= 20 && bytes.length >= 14 + ihl && checksum(bytes, 14, 14 + ihl) === 0;
}

describe("ICMP echo (fuzzed)", () => {
  const { title, options } = fuzz(
    "echoReply answers only what it can answer well: valid checksums, addresses swapped",
    5000,
  );
  it(title, () => {
    const ip = parseIp(SERVER);
    fc.assert(
      fc.property(frame, (request) => {
        const reply = echoReply(request, 0x02_00_00_00_00_99, ip);
        if (!reply) return;
        expect(reply.length).toBe(request.length);
        expect(ipHeaderVerifies(reply)).toBe(true);
        const icmp = 14 + (reply[14] & 0x0f) * 4;
        const end = 14 + ((reply[16] << 8) | reply[17]);
        expect(end).toBeGreaterThanOrEqual(icmp + 8);
        expect(end).toBeLessThanOrEqual(reply.length);
        expect(reply[icmp]).toBe(0);
        expect(checksum(reply, icmp, end)).toBe(0);
        expect(ipAt(reply, 26)).toBe(ip);
        expect(ipAt(reply, 30)).toBe(ipAt(request, 26));
        expect(macAt(reply, 0)).toBe(macAt(request, 6));
      }),
      options,
    );
  });
});

describe("DHCP server (fuzzed)", () => {
  const { title, options } = fuzz(
    "any frame to the server: its answers are well-formed BOOTP replies to the asker",
    5000,
  );
  it(title, () => {
    const subnet = parseSubnet("10.0.0.0/24");
    fc.assert(
      fc.property(fc.array(frame, { minLength: 1, maxLength: 8 }), (frames) => {
        const sent: Uint8Array[] = [];
        const server = new DhcpServer(subnet, 0x02_48_4c_ff_00_01, (f) => sent.push(f));
        server.reserve(GUEST_MAC, 10);
        for (const f of frames) {
          sent.length = 0;
          server.receive(f);
          for (const reply of sent) {
            expect(reply.length).toBeGreaterThanOrEqual(42);
            if (((reply[12] << 8) | reply[13]) === 0x0806) continue; // an ARP reply
            expect(ipHeaderVerifies(reply)).toBe(true);
            if (reply[23] === 1) continue; // an echo reply (checked above)
            expect(reply[23]).toBe(17);
            expect([(reply[34] << 8) | reply[35], (reply[36] << 8) | reply[37]]).toEqual([67, 68]);
            expect(reply[42]).toBe(2); // BOOTREPLY
            const yiaddr = ipAt(reply, 42 + 16);
            if (yiaddr !== 0) expect((yiaddr & 0xffffff00) >>> 0).toBe(subnet.network);
            expect(macAt(reply, 0)).toBe(macAt(reply, 42 + 28)); // to the client's hardware address
          }
        }
        expect(server.leases.size).toBeLessThanOrEqual(1 + 256);
      }),
      options,
    );
  });
});

describe("the switch (fuzzed)", () => {
  const { title, options } = fuzz("any frames from any port: never a throw, every frame counted once", 1500);
  it(title, () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat({ max: 3 }), frame), { minLength: 1, maxLength: 40 }),
        fc.boolean(),
        (sends, filtered) => {
          let now = 0;
          const sw = new VirtualSwitch({ clock: () => (now += 7), holdFrames: 4, holdBytes: 3000 });
          let flaky = 0;
          const ports: SwitchPort[] = [
            sw.addPort({ name: "a", segment: "s", deliver: () => undefined }),
            sw.addPort({ name: "b", segment: "s", deliver: () => undefined, rateLimit: { packets: { rate: 5 } } }),
            sw.addPort({
              name: "c",
              segment: "s",
              deliver: () => {
                if (flaky++ % 3 === 0) throw new Error("the guest is not running");
              },
            }),
            sw.addPort({ name: "d", segment: "t", deliver: () => undefined }),
          ];
          sw.setHeld(ports[1], true);
          sw.setLink(ports[3], false);
          if (filtered) sw.setFilter({ sent: () => undefined, admits: (_from, _to, f) => f.length % 2 === 0 });
          const seen = new Map<SwitchPort, number>();
          sw.on((event) => {
            if (event.kind === "in" || (event.kind === "drop" && event.direction === "in"))
              seen.set(event.port, (seen.get(event.port) ?? 0) + 1);
          });
          for (const [from, bytes] of sends) sw.receive(ports[from], bytes);
          sw.setHeld(ports[1], false);
          // Each frame a port sent was either taken in or dropped on the way in, once.
          for (const [i, port] of ports.entries())
            expect(seen.get(port) ?? 0).toBe(sends.filter(([from]) => from === i).length);
          expect(sw.macTable().length).toBeLessThanOrEqual(MAX_MAC_ENTRIES);
        },
      ),
      options,
    );
  });
});

describe("the network's packet path (fuzzed)", () => {
  const { title, options } = fuzz(
    "frames from guests through security groups, DHCP, the packet log and a capture that reads back",
    250,
  );
  it(title, () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat({ max: 2 }), frame), { minLength: 1, maxLength: 30 }), (sends) => {
        let now = 1_700_000_000_000;
        const network = new Network({ clock: () => (now += 3) });
        const guests: FakeGuest[] = ["a", "b", "c"].map((name) => plugIn(network, name));
        network.defineGroup({ name: "web", rules: [{ protocol: "tcp", ports: "80", source: "segment:default" }] });
        network.setGroups(guests[1] as unknown as Guest, ["web"]);
        const capture = network.capture({ all: true });
        for (const [from, bytes] of sends) guests[from].send(bytes);
        for (const packet of network.log) expect(typeof packet.info).toBe("string");
        // The capture reads back as the frames that crossed the switch.
        const pcap = parsePcap(capture.pcap());
        expect(pcap.frames.map((f) => f.bytes)).toEqual(capture.frames.map((f) => f.bytes));
        const dropped = parsePcapng(capture.droppedPcapng());
        expect(dropped.frames.length).toBe(capture.drops.length);
        expect(network.connections().length).toBeLessThanOrEqual(4096);
      }),
      options,
    );
  });
});
