/**
 * Integration: the device probes in real guests. The same bytes cost a port exit each through
 * the 8250 UART and a handful of virtio notifications through virtio-console; NE2000 and
 * virtio-net both carry traffic, attributed to the right device; probes switch off cleanly.
 */
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { runPath } from "../src/workloads/paths.js";
import type { ProbeTotals } from "../src/index.js";
import { createNodeHypervisor } from "../src/node/index.js";

const hv = createNodeHypervisor({ memoryBudgetMiB: 256, hostCores: 2 });
afterAll(() => hv.shutdown());
// Every test makes its own guests; none outlives it, whether it passed or not.
afterEach(() => hv.shutdown());

describe("device paths", () => {
  it("counts a UART exit per byte and few virtio-console notifications for the same 64 KiB", async () => {
    const guest = await hv.create({ image: "linux", name: "consoles", console: "both" });
    await guest.start();
    await guest.waitReady({ console: "virtio" });
    await guest.waitReady({ console: "serial" });
    await expect(guest.readProbes()).rejects.toMatchObject({ code: "invalid-state" });

    // The workload's 64 KiB, plus at most a shell prompt (13 bytes) that a console printed late.
    const about64KiB = (bytes: number) => {
      expect(bytes).toBeGreaterThanOrEqual(64 * 1024);
      expect(bytes).toBeLessThan(64 * 1024 + 64);
    };
    const uart = await runPath(guest, "console", "full", 64);
    expect(uart.device).toBe("uart");
    about64KiB(uart.bytes);
    // Every byte is an OUT to THR (port 0x3F8), plus status reads per interrupt.
    expect(uart.writes).toBeGreaterThanOrEqual(64 * 1024);
    expect(uart.probe.ports[0].port).toBe(0x3f8);
    about64KiB(uart.probe.ports[0].writes);
    expect(uart.irqs).toBeGreaterThan(100);

    const virtio = await runPath(guest, "console", "paravirtual", 64);
    expect(virtio.device).toBe("virtio-console");
    about64KiB(virtio.bytes);
    expect(virtio.notifications).toBeGreaterThan(0);
    expect(virtio.notifications).toBeLessThanOrEqual(64);
    expect(virtio.exits).toBeLessThan(uart.exits / 500);
    const tx = virtio.probe.queues.find((q) => q.index === 1)!;
    expect(tx.name).toBe("transmitq (port 0)");
    expect(tx.posted).toBe(virtio.notifications);
    expect(tx.completed).toBe(tx.posted);
    expect(tx.used).toBe(tx.avail);
    await guest.terminate();
  });

  it("attributes NE2000 and virtio-net traffic to the right device", async () => {
    for (const [net, side, device] of [
      ["ne2k", "full", "ne2k"],
      ["virtio", "paravirtual", "virtio-net"],
    ] as const) {
      const guest = await hv.create({ image: "linux", name: `net-${net}`, net });
      await guest.start();
      await guest.waitReady();
      const result = await runPath(guest, "network", side, 32);
      expect(result.device).toBe(device);
      // 24 echo requests of 1442 bytes out, 24 replies in.
      expect(result.bytes).toBeGreaterThanOrEqual(2 * 24 * 1442);
      const other = device === "ne2k" ? "virtio-net" : "ne2k";
      expect(guest.probeTotals.devices[other]).toBeUndefined();
      if (device === "ne2k") expect(result.exitsPerKiB).toBeGreaterThan(200);
      else expect(result.exitsPerKiB).toBeLessThan(10);
      await guest.terminate();
    }
  });

  it("reads the same test data from the IDE disk and the 9p share", async () => {
    const guest = await hv.create({ image: "linux", name: "storage", console: "serial", storage: "both" });
    await guest.start();
    await guest.waitReady();
    const sums = await guest.exec(
      "dd if=/dev/sda bs=64k count=4 2>/dev/null | md5sum; head -c 262144 /mnt/host/hyperlab-data.bin | md5sum",
    );
    const [disk, share] = sums.output
      .trim()
      .split("\n")
      .map((l) => l.split(" ")[0]);
    expect(disk).toMatch(/^[0-9a-f]{32}$/);
    expect(share).toBe(disk);
    const ide = await runPath(guest, "storage", "full", 256);
    const p9 = await runPath(guest, "storage", "paravirtual", 256);
    expect(ide.bytes).toBe(256 * 1024);
    expect(p9.bytes).toBeGreaterThanOrEqual(256 * 1024);
    expect(ide.irqs).toBeGreaterThan(0);
    expect(p9.notifications).toBeGreaterThan(0);
    expect(p9.probe.queues[0].name).toBe("requestq");
    await guest.terminate();
  });

  it("keeps totals while on and stops counting when switched off", async () => {
    const guest = await hv.create({ image: "linux", name: "switch", console: "serial" });
    await guest.start();
    await guest.waitReady();
    const seen: ProbeTotals[] = [];
    guest.on("guest:probes", ({ totals }) => seen.push(totals));
    await guest.setProbes(true);
    await guest.exec("echo hello");
    await guest.readProbes();
    expect(guest.probeTotals.devices.uart!.writes).toBeGreaterThan(10);
    expect(guest.probeTotals.exits).toBeGreaterThan(0);
    expect(seen.length).toBeGreaterThan(0);
    await guest.setProbes(false);
    const count = seen.length;
    await guest.exec("echo quiet");
    // Probes, while on, come with the worker's samples (every 500 ms): two samples with none is off.
    let samples = 0;
    const sub = guest.on("guest:metrics", () => samples++);
    await vi.waitFor(() => expect(samples).toBeGreaterThanOrEqual(2), { timeout: 5_000, interval: 50 });
    sub.dispose();
    expect(seen.length).toBe(count);
    await expect(guest.readProbes()).rejects.toMatchObject({ code: "invalid-state" });
    await guest.terminate();
  });
});
