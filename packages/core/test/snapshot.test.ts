/**
 * Integration: snapshots, clones, instant launch and live migration with real guests in
 * worker threads. What the guests print is what we assert on.
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import {
  HyperlabError,
  ImageCatalog,
  type Guest,
  type GuestSpec,
  type Snapshot,
  type SnapshotHeader,
} from "../src/index.js";
import { createNodeHypervisor, FolderImageSource } from "../src/node/index.js";
import { readSnapshot } from "../src/snapshot/format.js";
import { wasm } from "../src/wasm.js";

// Each host has room for a few guests, each costing its RAM and Node's overhead.
const hv = createNodeHypervisor({
  hostCores: 2,
  hosts: [
    { memoryBudgetMiB: 512 },
    { memoryBudgetMiB: 512 },
    {
      id: "broken",
      name: "Broken host",
      memoryBudgetMiB: 512,
      channel: () => {
        throw new Error("this host has no workers");
      },
    },
  ],
});
afterAll(() => hv.shutdown());
// Every test makes its own guests; none outlives it, whether it passed or not.
afterEach(() => hv.shutdown());

/** A running guest: from the image's ready snapshot when one fits its spec (fast), else booted. */
async function launch(spec: GuestSpec, host?: string): Promise<Guest> {
  const guest = await hv.create(spec, undefined, { host });
  if (!(await hv.startInstant(guest)).instant) await guest.waitReady();
  return guest;
}

/** The same snapshot with its header changed (the body and its checksum untouched). */
function withHeader(snapshot: Snapshot, change: (header: SnapshotHeader) => void): Snapshot {
  const { header, bytes } = snapshot;
  const copy = structuredClone(header);
  change(copy);
  const json = new TextEncoder().encode(JSON.stringify(copy));
  const body = bytes.subarray(bytes.length - header.body.bytes);
  const out = new Uint8Array(16 + json.length + body.length);
  out.set(bytes.subarray(0, 16));
  new DataView(out.buffer).setUint32(12, json.length, true);
  out.set(json, 16);
  out.set(body, 16 + json.length);
  return { header: copy, bytes: out };
}

async function mac(guest: Guest): Promise<string> {
  return (await guest.exec("cat /sys/class/net/eth0/address")).output.trim();
}

/** Starts a loop in the guest that counts up in /tmp/count every 50 ms; resolves once it has counted. */
async function startCounting(guest: Guest): Promise<number> {
  await guest.exec("(i=0; while true; do i=$((i+1)); echo $i > /tmp/c; mv /tmp/c /tmp/count; sleep 0.05; done) &");
  return countedPast(guest, 0);
}

/** Polls the guest's count until it is past `n`, and returns it. */
function countedPast(guest: Guest, n: number): Promise<number> {
  return vi.waitFor(
    async () => {
      const count = Number((await guest.exec("cat /tmp/count 2>/dev/null")).output);
      expect(count).toBeGreaterThan(n);
      return count;
    },
    { timeout: 10_000, interval: 100 },
  );
}

describe("snapshots", () => {
  it("restores a guest: a file changed after the snapshot is as it was", async () => {
    const guest = await hv.create({ image: "linux", name: "snap", net: "ne2k" }, undefined, { host: "a" });
    await guest.start();
    await guest.waitReady();
    await guest.exec("echo before > /root/file");
    const snapshot = await guest.snapshot();
    expect(snapshot.header).toMatchObject({
      format: 1,
      v86: "0.5.462",
      spec: { name: "snap", image: "linux", memoryMiB: 32, net: "ne2k" },
      guest: { readyConsoles: ["serial", "virtio"], paused: false },
      body: { encoding: "gzip" },
    });
    expect(snapshot.header.image.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(readSnapshot(snapshot.bytes).header).toEqual(snapshot.header);
    await guest.exec("echo after > /root/file");
    await guest.restore(snapshot);
    expect(guest.state).toBe("running");
    expect((await guest.exec("cat /root/file")).output).toBe("before\n");
    // The restored guest's clock runs on: timers fire and uptime moves forward.
    const uptime = async () => Number((await guest.exec("cut -d' ' -f1 /proc/uptime")).output);
    const u0 = await uptime();
    expect((await guest.exec("sleep 1; echo slept", { timeoutMs: 10_000 })).output).toBe("slept\n");
    expect(await uptime()).toBeGreaterThan(u0);
  });

  it("clones a guest: both run, each with its own MAC", async () => {
    const guest = await launch({ image: "linux", name: "snap", console: "serial", net: "ne2k" });
    await guest.exec("echo before > /root/file");
    const snapshot = await guest.snapshot();
    const clone = await hv.clone(snapshot, { name: "snap-clone" });
    expect(clone.state).toBe("running");
    expect(clone.spec.mac).toBeTruthy();
    expect(clone.spec.mac).not.toBe(guest.spec.mac);
    const [a, b] = [await mac(guest), await mac(clone)];
    expect(a).toBe(guest.spec.mac);
    expect(b).toBe(clone.spec.mac);
    expect((await clone.exec("cat /root/file")).output).toBe("before\n");
    expect((await clone.exec("hostname")).output).toBe("snap-clone\n");
    expect((await guest.exec("echo original")).output).toBe("original\n");
    await clone.terminate();
  });

  it("refuses every bad snapshot with a typed error and the guest runs on as before", async () => {
    const guest = await launch({ image: "linux", name: "snap", console: "serial", net: "ne2k" });
    const snapshot = await guest.snapshot();
    await guest.exec("echo kept > /root/file");
    const bytes = snapshot.bytes;
    const flipped = bytes.slice();
    flipped[bytes.length - 100] ^= 0xff;
    const cases: [string, Snapshot, string, RegExp][] = [
      ["corrupt body", { ...snapshot, bytes: flipped }, "snapshot-corrupt", /checksum/],
      ["truncated", { ...snapshot, bytes: bytes.slice(0, bytes.length - 4096) }, "snapshot-corrupt", /truncated/],
      ["cut in its header", { ...snapshot, bytes: bytes.slice(0, 40) }, "snapshot-corrupt", /truncated/],
      [
        "bad magic",
        { ...snapshot, bytes: new TextEncoder().encode("PK\u0003\u0004 not a snapshot at all") },
        "snapshot-corrupt",
        /not a Hyperlab snapshot/,
      ],
      [
        "unknown format version",
        (() => {
          const b = bytes.slice();
          new DataView(b.buffer).setUint32(8, 99, true);
          return { ...snapshot, bytes: b };
        })(),
        "snapshot-version",
        /format version 99/,
      ],
      ["other v86", withHeader(snapshot, (h) => (h.v86 = "0.4.0")), "snapshot-version", /v86 0\.4\.0/],
      [
        "other memory size",
        withHeader(snapshot, (h) => (h.spec.memoryMiB = 64)),
        "snapshot-incompatible",
        /64 MiB of memory; guest "snap" has 32 MiB/,
      ],
      ["other devices", withHeader(snapshot, (h) => (h.spec.net = "virtio")), "snapshot-incompatible", /other devices/],
      [
        "another image build",
        withHeader(snapshot, (h) => (h.image.sha256 = "0".repeat(64))),
        "snapshot-incompatible",
        /another build/,
      ],
    ];
    for (const [what, bad, code, sentence] of cases) {
      const error = await guest.restore(bad).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, what).toBeInstanceOf(HyperlabError);
      expect((error as HyperlabError).code, what).toBe(code);
      expect((error as HyperlabError).message, what).toMatch(sentence);
    }
    await expect(hv.clone({ ...snapshot, bytes: flipped }, { name: "bad-clone" })).rejects.toMatchObject({
      code: "snapshot-corrupt",
    });
    expect(hv.guests.map((g) => g.name)).not.toContain("bad-clone");
    expect(guest.state).toBe("running");
    expect((await guest.exec("cat /root/file")).output).toBe("kept\n");
  });
});

describe("live migration", () => {
  it("moves a guest in the middle of a counting loop from Host A to Host B: the count continues", async () => {
    const guest = await launch({ image: "linux", name: "mover", console: "serial", net: "ne2k" }, "a");
    expect(guest.placement.name).toBe("Host A");
    const before = await startCounting(guest);
    const [onA, onB] = [hv.memory("a").usedMiB, hv.memory("b").usedMiB];
    await guest.setProbes(true);
    const events: unknown[] = [];
    const sub = hv.on("guest:migrated", (e) => events.push(e));
    const report = await guest.migrate("b");
    sub.dispose();
    expect(report).toMatchObject({ from: "Host A", to: "Host B" });
    expect(report.bytes).toBeGreaterThan(1 << 20);
    expect(report.downtimeMs).toBeGreaterThan(0);
    expect(events).toHaveLength(1);
    expect(guest.placement.name).toBe("Host B");
    // The guest's RAM and its overhead moved with it.
    expect(hv.memory("a").usedMiB).toBe(onA - 32 - hv.guestOverheadMiB);
    expect(hv.memory("b").usedMiB).toBe(onB + 32 + hv.guestOverheadMiB);
    const after = Number((await guest.exec("cat /tmp/count")).output);
    expect(after).toBeGreaterThanOrEqual(before);
    await countedPast(guest, after);
    // Same console session, same MAC; the probes still count on Host B (the exec's console traffic).
    expect(await mac(guest)).toBe(guest.spec.mac);
    await guest.readProbes();
    await guest.exec("echo probed");
    const probed = await guest.readProbes();
    expect(probed.exits).toBeGreaterThan(0);
    await guest.setProbes(false);
    expect(guest.consoles.serial.history()).toContain("mv /tmp/c /tmp/count");
  });

  it("a migration that fails leaves the guest running where it was", async () => {
    const guest = await launch({ image: "linux", name: "stayer", console: "serial", net: "ne2k" }, "b");
    await startCounting(guest);
    await expect(guest.migrate("broken")).rejects.toMatchObject({
      code: "migration-failed",
      message: expect.stringMatching(/stays on Host B/),
    });
    expect(guest.placement.name).toBe("Host B");
    expect(guest.state).toBe("running");
    expect(hv.memory("broken").usedMiB).toBe(0);
    const a = Number((await guest.exec("cat /tmp/count")).output);
    await countedPast(guest, a);
    await expect(guest.migrate("nowhere")).rejects.toMatchObject({ code: "invalid-spec" });
    expect(guest.placement.name).toBe("Host B");
  });
});

describe("instant launch", () => {
  it("starts a guest from the image's ready snapshot far faster than a cold boot", async () => {
    const guest = await hv.create({ image: "linux", name: "instant" });
    const ready = await hv.readySnapshot(guest);
    expect(ready.reason).toBeUndefined();
    const t0 = performance.now();
    const started = await hv.startInstant(guest);
    const result = await guest.exec("echo up");
    const ms = performance.now() - t0;
    expect(started).toEqual({ instant: true });
    expect(result.output).toBe("up\n");
    expect(ms).toBeLessThan(3000);
    // The ready snapshot's guest had another name; this one has its own, and the console shows
    // its prompt, not the command that set it.
    expect(guest.consoles[guest.primaryConsole].history()).toContain("instant:/# ");
    expect(guest.consoles[guest.primaryConsole].history()).not.toContain("hostname instant");
    expect((await guest.exec("hostname")).output).toBe("instant\n");
    // A guest from a snapshot has booted already: it runs with v86's JIT from the start.
    expect((await guest.counters()).jit).toBe(true);
    // Its worker got no kernel (the state has it in memory); a reboot is a cold boot, with one.
    await guest.reboot();
    await guest.waitReady({ timeoutMs: 60_000 });
    expect((await guest.exec("cat /proc/cmdline")).output).toContain("hyperlab.name=instant");
    await guest.terminate();
  });

  it("gets the first launch ready ahead (warmUp) and never throws for what it cannot warm", async () => {
    // A hypervisor of its own, with nothing loaded yet, whose file reads and wasm compiles show.
    const folder = new FolderImageSource();
    const reads: string[] = [];
    let compiles = 0;
    const cold = createNodeHypervisor({
      memoryBudgetMiB: 256,
      hostCores: 2,
      catalog: new ImageCatalog({
        where: folder.where,
        readManifest: () => folder.readManifest(),
        read: (path) => {
          reads.push(path);
          return folder.read(path);
        },
      }),
      compileWasm: async () => {
        compiles++;
        return wasm.compile(await readFile(createRequire(import.meta.url).resolve("v86/build/v86.wasm")));
      },
    });
    try {
      await expect(cold.warmUp({ image: "no-such-image" })).resolves.toBeUndefined();
      await expect(cold.warmUp({ image: "linux", memoryMiB: 3 })).resolves.toBeUndefined();
      const spec = { image: "linux", name: "warm", console: "serial", net: "ne2k" } as const;
      await cold.warmUp(spec);
      // Getting ready read the image's files and the ready snapshot that fits, and compiled v86...
      const entry = await cold.catalog.get("linux");
      const ready = entry.readySnapshots!.find(
        (f) => f.console === "serial" && f.net === "ne2k" && f.memoryMiB === 32,
      )!;
      expect([...reads].sort()).toEqual([...Object.values(entry.files).map((f) => f.path), ready.path].sort());
      expect(compiles).toBe(1);
      // ...and created or reserved nothing.
      expect(cold.guests).toEqual([]);
      expect(cold.memory().usedMiB).toBe(0);
      // So the first launch waits for none of it: it reads and compiles nothing more.
      const guest = await cold.create(spec);
      expect(await cold.startInstant(guest)).toEqual({ instant: true });
      expect((await guest.exec("hostname")).output).toBe("warm\n");
      expect(reads).toHaveLength(Object.keys(entry.files).length + 1);
      expect(compiles).toBe(1);
    } finally {
      await cold.shutdown();
    }
  });

  it("gives an instantly launched virtio-net guest its own MAC, live", async () => {
    const guest = await hv.create({ image: "linux", name: "instant-virtio", net: "virtio" });
    expect(await hv.startInstant(guest)).toEqual({ instant: true });
    expect(await mac(guest)).toBe(guest.spec.mac);
    expect((await guest.exec("hostname")).output).toBe("instant-virtio\n");
    await guest.terminate();
  });

  it("falls back to a cold boot when no ready snapshot fits", async () => {
    const guest = await hv.create({ image: "linux", name: "cold", memoryMiB: 64 });
    const started = await hv.startInstant(guest);
    expect(started.instant).toBe(false);
    expect(started.reason).toMatch(/no ready snapshot for 64 MiB/);
    await guest.waitReady();
    expect((await guest.exec("echo cold")).output).toBe("cold\n");
    await guest.terminate();
  });
});
