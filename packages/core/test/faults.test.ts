/**
 * Integration: a guest's worker killed in the middle of an operation (injected with the
 * protocol's `fault` message, so it dies as it does when v86 throws). After each: the guest is in
 * a state the lifecycle table allows, the memory ledger adds up, the other guest is untouched,
 * and stored snapshots still verify.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Guest } from "../src/guest/guest.js";
import { HOLDS_MEMORY, LIVE, isAllowed } from "../src/guest/state.js";
import { createNodeHypervisor, nodeWorkerChannel, SnapshotFiles } from "../src/node/index.js";
import { snapshotState } from "../src/snapshot/format.js";
import type { GuestChannel } from "../src/worker/channel.js";
import type { RequestKind } from "../src/worker/protocol.js";

/** Every worker the hypervisor makes, newest last; `armNext` makes the next one die on a request. */
const workers: GuestChannel[] = [];
let armNext: RequestKind | undefined;
const hv = createNodeHypervisor({
  hosts: [{ memoryBudgetMiB: 256 }, { memoryBudgetMiB: 256 }],
  channel: () => {
    const channel = nodeWorkerChannel();
    if (armNext) channel.send({ type: "fault", on: armNext });
    armNext = undefined;
    workers.push(channel);
    return channel;
  },
});

let dir: string;
let store: SnapshotFiles;
let bystander: Guest;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hyperlab-faults-"));
  store = new SnapshotFiles(dir);
  bystander = await hv.create({ image: "linux", name: "bystander" }, undefined, { host: "a" });
  await hv.startInstant(bystander);
  await bystander.waitReady();
  // A stored snapshot that must come through every fault intact.
  await store.save(await bystander.snapshot(), "kept");
});
afterAll(async () => {
  await hv.shutdown();
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => Promise.all(hv.guests.filter((g) => g !== bystander).map((g) => g.terminate())));

/** A guest from the ready snapshot, and the worker it runs in. */
async function victim(name: string): Promise<{ guest: Guest; worker: GuestChannel }> {
  const guest = await hv.create({ image: "linux", name }, undefined, { host: "a" });
  await hv.startInstant(guest);
  await guest.waitReady();
  return { guest, worker: workers.at(-1)! };
}

/** What must hold after any fault. */
async function consistent(): Promise<void> {
  for (const guest of hv.guests) {
    expect(guest.state === "crashed" || guest.state === "created" || LIVE.includes(guest.state)).toBe(true);
    // The ledger holds exactly what the guests that hold memory reserve, host by host.
    expect(guest.reservedMiB).toBe(HOLDS_MEMORY.includes(guest.state) ? guest.spec.memoryMiB : 0);
  }
  for (const host of hv.hosts) {
    // Each guest holding memory holds its RAM and the overhead of running it.
    const holding = hv.guests.filter((g) => g.placement === host && g.reservedMiB > 0);
    const held = holding.reduce((sum, g) => sum + g.reservedMiB, 0);
    const overhead = holding.length * hv.guestOverheadMiB;
    expect(hv.memory(host)).toMatchObject({ guestMiB: held, overheadMiB: overhead, usedMiB: held + overhead });
  }
  expect(hv.workerCount).toBe(hv.guests.filter((g) => g.hasMachine).length);
  expect((await bystander.exec("echo untouched")).output).toBe("untouched\n");
  const kept = await store.load("kept");
  await expect(snapshotState(kept)).resolves.toBeInstanceOf(Uint8Array);
}

describe("faults injected into real guests' workers", () => {
  it("killed during a snapshot: the snapshot fails, the guest is crashed, its memory returned", async () => {
    const { guest, worker } = await victim("snap-victim");
    worker.send({ type: "fault", on: "save" });
    await expect(guest.snapshot()).rejects.toMatchObject({ code: "guest-crashed" });
    expect(guest.state).toBe("crashed");
    expect(hv.memory("a").usedMiB).toBe(bystander.reservedMiB + hv.guestOverheadMiB);
    await consistent();
    // A crashed guest starts again.
    await guest.start();
    await guest.waitReady();
    expect((await guest.exec("echo back")).output).toBe("back\n");
  });

  it("the new machine of a restore dies: the restore fails and the guest runs on as it was", async () => {
    const { guest } = await victim("restore-new");
    const snapshot = await guest.snapshot();
    await guest.exec("echo after > /root/mark");
    armNext = "boot";
    await expect(guest.restore(snapshot)).rejects.toMatchObject({ code: "worker-failed" });
    expect(guest.state).toBe("running");
    expect((await guest.exec("cat /root/mark")).output).toBe("after\n");
    await consistent();
  });

  it("the old machine dies while a restore is prepared: the guest is crashed and the new machine ends", async () => {
    const { guest, worker } = await victim("restore-old");
    const snapshot = await guest.snapshot();
    const restoring = guest.restore(snapshot);
    worker.send({ type: "fault", on: "counters" });
    await expect(guest.counters()).rejects.toBeDefined();
    await expect(restoring).rejects.toBeDefined();
    expect(guest.state).toBe("crashed");
    expect(guest.hasMachine).toBe(false);
    await consistent();
  });

  it("the target of a migration dies in the state copy: the guest stays on its host, running", async () => {
    const { guest } = await victim("move-target");
    armNext = "restore";
    await expect(guest.migrate("b")).rejects.toMatchObject({ code: "migration-failed" });
    expect(guest.state).toBe("running");
    expect(guest.placement.id).toBe("a");
    expect(hv.memory("b").usedMiB).toBe(0);
    expect((await guest.exec("echo still on a")).output).toBe("still on a\n");
    await consistent();
  });

  it("the source of a migration dies in the final copy: crashed, nothing held on either host", async () => {
    const { guest, worker } = await victim("move-source");
    worker.send({ type: "fault", on: "save" });
    await expect(guest.migrate("b")).rejects.toMatchObject({ code: "migration-failed" });
    expect(guest.state).toBe("crashed");
    expect(isAllowed("start", guest.state)).toBe(true);
    expect(hv.memory("b").usedMiB).toBe(0);
    expect(hv.memory("a").usedMiB).toBe(bystander.reservedMiB + hv.guestOverheadMiB);
    await consistent();
  });
});
