/**
 * Integration: real guests on the hypervisor's virtual switch. Each guest with a NIC asks its
 * segment's DHCP server for its address at boot (the image's udhcpc), with nothing typed into
 * it; a student's `udhcpc` renews it; an instant launch gets its own address; a segment whose
 * DHCP is off leaves a guest without one. Two guests on one segment (one NE2000, one
 * virtio-net) ping each other and move a file with BusyBox nc; a third on another segment
 * cannot reach them even with an address in their subnet; unplugging a cable stops traffic and
 * plugging it back restores it; the capture parses as pcap.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { parsePcap, summarize, type Guest } from "../src/index.js";
import { createNodeHypervisor } from "../src/node/index.js";

const hv = createNodeHypervisor({ memoryBudgetMiB: 1024, hostCores: 2 });
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
  // Every test needs the guests' addresses: the guests ask for them at boot; nothing is typed.
  await Promise.all([a, b, c].map((g) => hv.network.waitForLease(g)));
}, 150_000);

/** Polls until `guest`'s eth0 carrier reads `expected` (the driver learns of a change from an interrupt). */
function carrier(guest: Guest, expected: "0" | "1"): Promise<void> {
  return vi.waitFor(
    async () => expect((await guest.exec("cat /sys/class/net/eth0/carrier")).output.trim()).toBe(expected),
    { timeout: 10_000, interval: 100 },
  );
}

/** What the guest's eth0 has, as `ip` prints it: "10.0.1.10/24" (or "" for none). */
async function inet(guest: Guest): Promise<string> {
  const { output } = await guest.exec("ip -4 -o addr show dev eth0");
  return /inet (\d+\.\d+\.\d+\.\d+\/\d+)/.exec(output)?.[1] ?? "";
}

describe("virtual network with real guests", () => {
  it("gives each guest its predictable address by DHCP at boot, with nothing typed into it", async () => {
    expect(hv.network.ports.map((p) => [p.guest, p.nic, p.segment, p.address, p.leased])).toEqual([
      ["a", "ne2k", "lan", "10.0.1.10", true],
      ["b", "virtio", "lan", "10.0.1.11", true],
      ["c", "virtio", "dmz", "10.0.2.10", true],
    ]);
    expect(await hv.network.waitForLease(a)).toBe("10.0.1.10");
    // waitForLease resolved once each guest used its address: it is on eth0.
    expect(await inet(a)).toBe("10.0.1.10/24");
    expect(await inet(b)).toBe("10.0.1.11/24");
    expect(await inet(c)).toBe("10.0.2.10/24");
  });

  it("renews the lease when a student runs udhcpc, which returns within seconds", async () => {
    const leases: string[] = [];
    const sub = hv.network.on("network:lease", (e) => leases.push(`${e.guest} ${e.address}`));
    try {
      for (const guest of [a, b]) {
        const started = Date.now();
        const result = await guest.exec("udhcpc -n -q -i eth0", { timeoutMs: 20_000 });
        expect(Date.now() - started).toBeLessThan(5_000);
        expect(result.exitCode).toBe(0);
        expect(result.output).toMatch(/lease of 10\.0\.1\.1[01] obtained/);
      }
      // Each run announced the address once it was on eth0 again (a moment after udhcpc returned).
      await vi.waitFor(() => expect(leases).toEqual(["a 10.0.1.10", "b 10.0.1.11"]), { timeout: 10_000, interval: 50 });
    } finally {
      sub.dispose();
    }
    expect(await inet(a)).toBe("10.0.1.10/24");
    expect(await inet(b)).toBe("10.0.1.11/24");
  });

  it("gives instantly launched guests (both NIC models) their own addresses, not the snapshot's", async () => {
    hv.network.defineSegment("fast", "10.0.3.0/24");
    const ne2k = await hv.create({ name: "fast-ne2k", image: "linux", net: "ne2k", console: "serial" });
    const virtio = await hv.create({ name: "fast-virtio", image: "linux", net: "virtio", console: "both" });
    try {
      for (const guest of [ne2k, virtio]) hv.network.setSegment(guest, "fast");
      for (const guest of [ne2k, virtio]) expect(await hv.startInstant(guest)).toEqual({ instant: true });
      expect(await hv.network.waitForLease(ne2k, { timeoutMs: 20_000 })).toBe("10.0.3.10");
      expect(await hv.network.waitForLease(virtio, { timeoutMs: 20_000 })).toBe("10.0.3.11");
      expect(await inet(ne2k)).toBe("10.0.3.10/24");
      expect(await inet(virtio)).toBe("10.0.3.11/24");
      expect((await ne2k.exec("ping -c 1 -W 3 10.0.3.11")).exitCode).toBe(0);
    } finally {
      await Promise.all([ne2k.terminate(), virtio.terminate()]);
    }
  }, 60_000);

  it("leaves a guest without an address on a segment whose DHCP server is off, and says why", async () => {
    hv.network.defineSegment("dark", "10.0.4.0/24");
    hv.network.setDhcp("dark", false);
    const guest = await hv.create({ name: "dark-1", image: "linux", net: "virtio", console: "both" });
    try {
      hv.network.setSegment(guest, "dark");
      await hv.startInstant(guest);
      await guest.waitReady();
      expect(hv.network.segments.find((s) => s.name === "dark")?.dhcp).toBe(false);
      await expect(hv.network.waitForLease(guest)).rejects.toThrow(
        'Guest "dark-1" gets no address: the DHCP server of segment "dark" is off.',
      );
      // The guest asks (its DISCOVERs reach the switch) and gets no answer: no address on eth0.
      await vi.waitFor(
        () =>
          expect(
            hv.network.log.some((p) => p.port === "dark-1" && p.protocol === "DHCP" && p.info === "DISCOVER"),
          ).toBe(true),
        { timeout: 10_000, interval: 100 },
      );
      expect(hv.network.port(guest)).toMatchObject({ address: undefined, leased: false });
      expect(await inet(guest)).toBe("");
      const asked = await guest.exec("udhcpc -n -q -t 2 -T 1 -i eth0", { timeoutMs: 20_000 });
      expect(asked.exitCode).not.toBe(0);
      expect(asked.output).toContain("no lease, failing");
    } finally {
      await guest.terminate();
    }
  }, 60_000);

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
