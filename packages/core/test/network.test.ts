/**
 * Integration: real guests on the hypervisor's virtual switch. Two guests on one segment
 * (one NE2000, one virtio-net) lease addresses by DHCP, ping each other and move a file with
 * BusyBox nc; a third on another segment cannot reach them even with an address in their
 * subnet; unplugging a cable stops traffic and plugging it back restores it; the capture
 * parses as pcap.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { leaseAddress, parsePcap, summarize, type Guest } from "../src/index.js";
import { createNodeHypervisor } from "../src/node/index.js";

const hv = createNodeHypervisor({ memoryBudgetMiB: 256, hostCores: 2 });
afterAll(() => hv.shutdown());

let a: Guest;
let b: Guest;
let c: Guest;

beforeAll(async () => {
  hv.network.defineSegment("lan", "10.0.1.0/24");
  hv.network.defineSegment("dmz", "10.0.2.0/24");
  a = await hv.create({ name: "a", image: "linux", net: "ne2k" });
  b = await hv.create({ name: "b", image: "linux", net: "virtio" });
  c = await hv.create({ name: "c", image: "linux", net: "virtio" });
  hv.network.setSegment(a, "lan");
  hv.network.setSegment(b, "lan");
  hv.network.setSegment(c, "dmz");
  await Promise.all([a, b, c].map((g) => g.start()));
  await Promise.all([a, b, c].map((g) => g.waitReady({ timeoutMs: 120_000 })));
  // Every test needs the guests' addresses: they are leased here, not left by the test that checks them.
  for (const guest of [a, b, c]) await leaseAddress(guest);
}, 150_000);

/** Polls until `guest`'s eth0 carrier reads `expected` (the driver learns of a change from an interrupt). */
function carrier(guest: Guest, expected: "0" | "1"): Promise<void> {
  return vi.waitFor(
    async () => expect((await guest.exec("cat /sys/class/net/eth0/carrier")).output.trim()).toBe(expected),
    { timeout: 10_000, interval: 100 },
  );
}

describe("virtual network with real guests", () => {
  it("gives each guest its predictable address by DHCP", async () => {
    // Asked again, each gets the same address.
    expect(await leaseAddress(a)).toBe("10.0.1.10");
    expect(await leaseAddress(b)).toBe("10.0.1.11");
    expect(await leaseAddress(c)).toBe("10.0.2.10");
    expect(hv.network.ports.map((p) => [p.guest, p.nic, p.segment, p.address, p.leased])).toEqual([
      ["a", "ne2k", "lan", "10.0.1.10", true],
      ["b", "virtio", "lan", "10.0.1.11", true],
      ["c", "virtio", "dmz", "10.0.2.10", true],
    ]);
  });

  it("lets an NE2000 guest and a virtio-net guest ping each other", async () => {
    const ab = await a.exec("ping -c 3 -W 3 10.0.1.11");
    expect(ab.output).toContain("3 packets transmitted, 3 packets received");
    const ba = await b.exec("ping -c 2 -W 3 10.0.1.10");
    expect(ba.exitCode).toBe(0);
    expect((await a.exec("ping -c 1 -W 3 10.0.1.1")).exitCode).toBe(0); // the segment's DHCP server
    const port = hv.network.port("a");
    expect(port.counters.rxFrames).toBeGreaterThan(5);
    expect(port.counters.txFrames).toBeGreaterThan(5);
  });

  it("transfers a file with BusyBox nc, intact", async () => {
    await a.exec("dd if=/dev/urandom of=/tmp/file bs=1024 count=96 2>/dev/null");
    const sent = (await a.exec("md5sum /tmp/file")).output.split(" ")[0];
    await b.exec("nc -l -p 5000 > /tmp/got &");
    // Until nc listens (port 5000 = 0x1388 in state LISTEN, 0A), a connection would be refused.
    const listening = "cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | grep -cE ':1388 0+:0000 0A'";
    await vi.waitFor(async () => expect(Number((await b.exec(listening)).output)).toBeGreaterThan(0), {
      timeout: 10_000,
      interval: 100,
    });
    const send = await a.exec("nc -w 5 10.0.1.11 5000 < /tmp/file", { timeoutMs: 120_000 });
    expect(send.exitCode).toBe(0);
    await b.exec("wait", { timeoutMs: 30_000 });
    expect((await b.exec("md5sum /tmp/got")).output.split(" ")[0]).toBe(sent);
    expect((await b.exec("wc -c < /tmp/got")).output.trim()).toBe(String(96 * 1024));
  }, 180_000);

  it("keeps a guest on another segment out, even with an address in their subnet", async () => {
    expect((await c.exec("ping -c 2 -W 1 10.0.1.10")).exitCode).not.toBe(0);
    await c.exec("ip addr add 10.0.1.50/24 dev eth0");
    try {
      const before = hv.network.port("a").counters.txFrames;
      const result = await c.exec("ping -c 2 -W 1 10.0.1.10");
      expect(result.output).toContain("0 packets received");
      // c's ARP broadcasts stayed on dmz: a was given nothing meanwhile that came from c.
      const fromC = hv.network.log.filter((p) => p.port === "c" && p.segment === "lan");
      expect(fromC).toEqual([]);
      expect(hv.network.port("a").counters.txFrames - before).toBeLessThan(3);
    } finally {
      await c.exec("ip addr del 10.0.1.50/24 dev eth0");
    }
  });

  it("stops traffic when a cable is unplugged and restores it when plugged back", async () => {
    await carrier(b, "1");
    hv.network.setLink(b, false);
    try {
      const down = await a.exec("ping -c 2 -W 1 10.0.1.11");
      expect(down.output).toContain("0 packets received");
      expect(hv.network.port("b").linkUp).toBe(false);
      // The virtio-net guest is told: its driver drops the carrier.
      await carrier(b, "0");
      expect((await b.exec("ip link show eth0")).output).toContain("NO-CARRIER");
    } finally {
      hv.network.setLink(b, true);
    }
    await carrier(b, "1");
    const up = await a.exec("ping -c 2 -W 3 10.0.1.11");
    expect(up.output).toContain("2 packets received");
  });

  it("holds frames for a paused guest and delivers them on resume", async () => {
    await b.pause();
    let ping: ReturnType<Guest["exec"]> | undefined;
    try {
      expect(hv.network.port("b").held).toBe(true);
      ping = a.exec("ping -c 1 -W 8 10.0.1.11");
      await vi.waitFor(() => expect(hv.network.port("b").counters.held).toBeGreaterThan(0), {
        timeout: 6_000,
        interval: 50,
      });
    } finally {
      await b.resume();
    }
    expect((await ping!).exitCode).toBe(0);
    expect(hv.network.port("b").counters.held).toBe(0);
  });

  it("captures a segment as a pcap file that parses", async () => {
    const capture = hv.network.capture({ segment: "lan" });
    await a.exec("ping -c 2 -W 3 10.0.1.11");
    capture.stop();
    const file = parsePcap(capture.pcap());
    expect(file.linkType).toBe(1);
    const icmp = file.frames.map((f) => summarize(f.bytes)).filter((s) => s.protocol === "ICMP");
    expect(icmp.filter((s) => s.info.startsWith("echo request") && s.destination === "10.0.1.11")).toHaveLength(2);
    expect(icmp.filter((s) => s.info.startsWith("echo reply") && s.source === "10.0.1.11")).toHaveLength(2);
  });
});
