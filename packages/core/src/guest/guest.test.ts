/**
 * The host side of a guest with fake workers (src/testing/fake-machine.ts): the link, the shell,
 * swaps of the machine (restore, migration) and the memory ledger, in milliseconds. Real guests
 * are booted by the integration tests in test/.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { GUEST_OVERHEAD_MIB } from "../admission/overhead.js";
import { HyperlabError } from "../errors.js";
import { Hypervisor } from "../hypervisor.js";
import { ImageCatalog } from "../images/catalog.js";
import { FolderImageSource } from "../node/images.js";
import { FakeWorkers } from "../testing/fake-machine.js";

const catalog = new ImageCatalog(new FolderImageSource());
/** What a guest costs its host beyond its RAM: the Hypervisor's default, the browser's figure. */
const OVERHEAD = GUEST_OVERHEAD_MIB.browser;
/** A guest's RAM and its overhead, as admission counts them. */
const cost = (ramMiB: number) => ramMiB + OVERHEAD;

function lab(workers = new FakeWorkers()) {
  const hv = new Hypervisor({
    catalog,
    channel: workers.factory,
    // Room on A for 128 MiB of RAM in three guests; on B for one guest of 128 MiB.
    hosts: [{ memoryBudgetMiB: 128 + 3 * OVERHEAD }, { memoryBudgetMiB: cost(128) }],
  });
  return { hv, workers };
}

let hvs: Hypervisor[] = [];
afterEach(async () => {
  await Promise.all(hvs.map((hv) => hv.shutdown()));
  hvs = [];
});

async function runningGuest(workers = new FakeWorkers()) {
  const made = lab(workers);
  hvs.push(made.hv);
  const guest = await made.hv.create({ image: "linux", name: "vm", console: "serial" }, undefined, { host: "a" });
  await guest.start();
  await guest.waitReady({ timeoutMs: 1000 });
  return { ...made, guest };
}

describe("a guest, with fake workers", () => {
  it("boots to running when the marker appears and runs commands through the shell", async () => {
    const { guest, workers } = await runningGuest();
    expect(guest.state).toBe("running");
    expect(await guest.exec("echo hello")).toEqual({ output: "hello\n", exitCode: 0 });
    expect((await guest.exec("false")).exitCode).toBe(1);
    expect(workers.last.commands).toEqual(["echo hello", "false"]);
  });

  it("becomes crashed when its worker dies, and its memory returns", async () => {
    const { guest, hv, workers } = await runningGuest();
    const waiting = guest.waitFor("never printed", { timeoutMs: 5000 });
    workers.last.crash("Unimplemented: #GP handler");
    expect(guest.state).toBe("crashed");
    expect(guest.crashReason).toBe("Unimplemented: #GP handler");
    await expect(waiting).rejects.toMatchObject({ code: "guest-crashed" });
    expect(hv.memory("a")).toMatchObject({ usedMiB: 0, guestMiB: 0, overheadMiB: 0, guests: 0 });
    // It can be started again.
    await guest.start();
    await guest.waitReady({ timeoutMs: 1000 });
    expect(hv.memory("a")).toMatchObject({ usedMiB: cost(32), guestMiB: 32, overheadMiB: OVERHEAD, guests: 1 });
  });

  it("drops a replaced machine's late events and replies, and fails what waited on it", async () => {
    const workers = new FakeWorkers();
    // The first machine keeps its answers to `counters` until released.
    workers.behave({ hold: ["counters"] });
    const { guest } = await runningGuest(workers);
    const old = workers.last;
    const snapshot = await guest.snapshot();
    const counting = guest.counters();
    const seen: string[] = [];
    guest.on("guest:output", (event) => seen.push(event.text));
    await guest.restore(snapshot);
    expect(workers.last).not.toBe(old);
    expect(old.ended).toBe(true);
    await expect(counting).rejects.toThrow(/moved to another machine/);
    // Its late reply and output reach nobody; the new machine's do.
    old.ended = false;
    old.release();
    old.print("late words from the old machine");
    workers.last.print("words from the new one");
    expect(seen.join("")).toBe("words from the new one");
    expect(guest.state).toBe("running");
    expect((await guest.counters()).running).toBe(true);
    expect((await guest.exec("echo still")).output).toBe("still\n");
  });

  it("a restore whose new machine fails leaves the guest on its old one, input kept", async () => {
    const workers = new FakeWorkers();
    const { guest } = await runningGuest(workers);
    const old = workers.last;
    const snapshot = await guest.snapshot();
    workers.behave({ failBoot: "no room for a second machine", hold: ["boot"] });
    const restoring = guest.restore(snapshot);
    await vi.waitFor(() => expect(workers.made).toHaveLength(2));
    guest.write("serial", "typed meanwhile\n");
    await expect(guest.snapshot()).rejects.toMatchObject({ code: "invalid-state" });
    workers.last.release();
    await expect(restoring).rejects.toThrow("no room for a second machine");
    expect(guest.state).toBe("running");
    expect(workers.last.ended).toBe(true);
    expect(old.ended).toBe(false);
    await vi.waitFor(() => expect(old.typed.join("")).toContain("typed meanwhile"));
    expect((await guest.exec("echo here")).output).toBe("here\n");
  });

  it("a migration that fails after the pause resumes the guest where it was and frees the target", async () => {
    const workers = new FakeWorkers();
    const { guest, hv } = await runningGuest(workers);
    const source = workers.last;
    workers.behave({ failRestore: "the state did not fit" });
    const error = await guest.migrate("b").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HyperlabError);
    expect(error).toMatchObject({
      code: "migration-failed",
      details: { to: "b", cause: expect.stringMatching(/did not fit/) },
    });
    expect(guest.placement.id).toBe("a");
    expect(source.running).toBe(true);
    expect(workers.last.ended).toBe(true);
    expect(hv.memory("a").usedMiB).toBe(cost(32));
    expect(hv.memory("b").usedMiB).toBe(0);
    expect((await guest.exec("echo on a")).output).toBe("on a\n");
  });

  it("migrates: the target runs the guest, memory moves with it, the source ends", async () => {
    const workers = new FakeWorkers();
    const { guest, hv } = await runningGuest(workers);
    const source = workers.last;
    const moved = vi.fn();
    guest.on("guest:migrated", moved);
    const report = await guest.migrate("Host B");
    expect(report).toMatchObject({ from: "Host A", to: "Host B", bytes: expect.any(Number) });
    expect(moved).toHaveBeenCalledOnce();
    expect(guest.placement.id).toBe("b");
    expect(source.ended).toBe(true);
    expect(workers.last.running).toBe(true);
    expect(hv.memory("a").usedMiB).toBe(0);
    expect(hv.memory("b")).toMatchObject({ usedMiB: cost(32), guestMiB: 32, overheadMiB: OVERHEAD });
    expect((await guest.exec("echo on b")).output).toBe("on b\n");
    await expect(guest.migrate("b")).rejects.toMatchObject({ code: "invalid-state" });
    await expect(guest.migrate("c")).rejects.toMatchObject({ code: "invalid-spec" });
  });

  it("refuses a migration whose target has no room, and holds nothing there", async () => {
    const { guest, hv } = await runningGuest();
    await hv.create({ image: "linux", name: "big-b", memoryMiB: 128 }, undefined, { host: "b" });
    await expect(guest.migrate("b")).rejects.toMatchObject({
      code: "memory-over-budget",
      details: { memoryMiB: cost(32), ramMiB: 32, overheadMiB: OVERHEAD, freeMiB: 0 },
    });
    expect(hv.memory("b").usedMiB).toBe(cost(128));
    expect(guest.placement.id).toBe("a");
  });

  it("counts ballooned memory once: given back, then taken again only if it fits", async () => {
    const made = lab();
    hvs.push(made.hv);
    const guest = await made.hv.create({ image: "linux", name: "bal", memoryMiB: 64, balloon: true }, undefined, {
      host: "a",
    });
    await guest.start();
    await guest.waitReady({ timeoutMs: 1000 });
    await guest.setBalloon(40);
    expect(guest.reservedMiB).toBe(24);
    expect(made.hv.memory("a")).toMatchObject({ usedMiB: cost(24), guestMiB: 24 });
    // Other guests take what the balloon freed; deflating must then be refused.
    await made.hv.create({ image: "linux", name: "other", memoryMiB: 64 }, undefined, { host: "a" });
    await made.hv.create({ image: "linux", name: "third", memoryMiB: 32 }, undefined, { host: "a" });
    await expect(guest.setBalloon(0)).rejects.toMatchObject({ code: "memory-over-budget" });
    expect(made.hv.memory("a").usedMiB).toBe(cost(24) + cost(64) + cost(32));
    await guest.setBalloon(32);
    expect(made.hv.memory("a").usedMiB).toBe(cost(32) + cost(64) + cost(32));
    await guest.stop();
    expect(made.hv.memory("a").usedMiB).toBe(cost(64) + cost(32));
  });

  it("checks every action against the lifecycle table", async () => {
    const made = lab();
    hvs.push(made.hv);
    const guest = await made.hv.create({ image: "linux", name: "idle" });
    for (const action of [() => guest.snapshot(), () => guest.migrate("b"), () => guest.exec("true")])
      await expect(action()).rejects.toMatchObject({ code: "invalid-state" });
    await guest.terminate();
    expect(() => guest.setQuota({ weight: 512 })).toThrow(
      /Cannot change the quota of guest "idle" while it is terminated/,
    );
    expect(made.hv.guests).toHaveLength(0);
    expect(made.hv.memory().usedMiB).toBe(0);
  });
});
