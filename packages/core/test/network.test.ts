/**
 * Integration: real guests on the hypervisor's virtual switch. Two guests on one segment
 * (one NE2000, one virtio-net) lease addresses by DHCP, ping each other and move a file with
 * BusyBox nc; a third on another segment cannot reach them even with an address in their
 * subnet; unplugging a cable stops traffic and plugging it back restores it; the capture
 * parses as pcap.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
}, 150_000);

describe("virtual network with real guests", () => {
  it("gives each guest its predictable address by DHCP", async () => {
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
    await new Promise((r) => setTimeout(r, 500));
    const send = await a.exec("nc -w 5 10.0.1.11 5000 < /tmp/file", { timeoutMs: 120_000 });
    expect(send.exitCode).toBe(0);
    await b.exec("wait", { timeoutMs: 30_000 });
    expect((await b.exec("md5sum /tmp/got")).output.split(" ")[0]).toBe(sent);
    expect((await b.exec("wc -c < /tmp/got")).output.trim()).toBe(String(96 * 1024));
  }, 180_000);

  it("keeps a guest on another segment out, even with an address in their subnet", async () => {
    expect((await c.exec("ping -c 2 -W 1 10.0.1.10")).exitCode).not.toBe(0);
    await c.exec("ip addr add 10.0.1.50/24 dev eth0");
    const before = hv.network.port("a").counters.txFrames;
    const result = await c.exec("ping -c 2 -W 1 10.0.1.10");
    expect(result.output).toContain("0 packets received");
    // c's ARP broadcasts stayed on dmz: a was given nothing meanwhile that came from c.
    const fromC = hv.network.log.filter((p) => p.port === "c" && p.segment === "lan");
    expect(fromC).toEqual([]);
    expect(hv.network.port("a").counters.txFrames - before).toBeLessThan(3);
    await c.exec("ip addr del 10.0.1.50/24 dev eth0");
  });

  it("stops traffic when a cable is unplugged and restores it when plugged back", async () => {
    // The driver learns of the change from an interrupt: give it a moment.
    const carrier = async (expected: string) => {
      let now = "";
      for (let i = 0; i < 20 && now !== expected; i++) {
        if (i > 0) await new Promise((r) => setTimeout(r, 100));
        now = (await b.exec("cat /sys/class/net/eth0/carrier")).output.trim();
      }
      return now;
    };
    expect(await carrier("1")).toBe("1");
    hv.network.setLink(b, false);
    const down = await a.exec("ping -c 2 -W 1 10.0.1.11");
    expect(down.output).toContain("0 packets received");
    expect(hv.network.port("b").linkUp).toBe(false);
    // The virtio-net guest is told: its driver drops the carrier.
    expect(await carrier("0")).toBe("0");
    expect((await b.exec("ip link show eth0")).output).toContain("NO-CARRIER");
    hv.network.setLink(b, true);
    expect(await carrier("1")).toBe("1");
    const up = await a.exec("ping -c 2 -W 3 10.0.1.11");
    expect(up.output).toContain("2 packets received");
  });

  it("holds frames for a paused guest and delivers them on resume", async () => {
    await b.pause();
    expect(hv.network.port("b").held).toBe(true);
    const ping = a.exec("ping -c 1 -W 8 10.0.1.11");
    await new Promise((r) => setTimeout(r, 1500));
    expect(hv.network.port("b").counters.held).toBeGreaterThan(0);
    await b.resume();
    expect((await ping).exitCode).toBe(0);
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
