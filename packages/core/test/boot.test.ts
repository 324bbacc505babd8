/**
 * Integration: the real default image boots in Node under our layer (each guest in a worker
 * thread), and what the guest prints is what we assert on.
 */
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { HyperlabError } from "../src/errors.js";
import { createNodeHypervisor } from "../src/node/index.js";

const hv = createNodeHypervisor({ memoryBudgetMiB: 512 });
afterAll(() => hv.shutdown());
// Every test makes its own guests; none outlives it, whether it passed or not.
afterEach(() => hv.shutdown());

describe("the default linux image", () => {
  it("boots to a shell on the serial console and runs a command", async () => {
    const guest = await hv.create({ image: "linux", name: "serial-guest", console: "serial" });
    expect(guest.state).toBe("created");
    await guest.start();
    await guest.waitReady({ timeoutMs: 60_000 });
    expect(guest.state).toBe("running");
    const result = await guest.exec("uname -sm");
    expect(result).toEqual({ output: "Linux i686\n", exitCode: 0 });
    // Named after the guest: its prompt says which guest a console belongs to.
    expect((await guest.exec("hostname")).output).toBe("serial-guest\n");
    expect(guest.consoles.serial.history()).toContain("serial-guest:/# ");
    const failed = await guest.exec("ls /no-such-dir");
    expect(failed.exitCode).not.toBe(0);
    expect(failed.output).toMatch(/No such file or directory/);
    await guest.terminate();
    expect(guest.state).toBe("terminated");
    expect(hv.guests).not.toContain(guest);
  });

  it("answers over the virtio console (hvc0)", async () => {
    const guest = await hv.create({ image: "linux", name: "virtio-guest", console: "virtio" });
    await guest.start();
    await guest.waitReady({ console: "virtio" });
    const result = await guest.exec("tty; echo hello from hvc0", { console: "virtio" });
    expect(result.output).toBe("/dev/hvc0\nhello from hvc0\n");
    // hvc0 knows its window size (80×25 until told otherwise), and follows a resize.
    expect((await guest.exec("stty size", { console: "virtio" })).output).toBe("25 80\n");
    guest.resize(100, 30);
    await vi.waitFor(
      async () => expect((await guest.exec("stty size", { console: "virtio" })).output).toBe("30 100\n"),
      { timeout: 5_000, interval: 100 },
    );
    await guest.terminate();
  });

  it("pauses, resumes, reboots and stops; a wrong action is a typed error", async () => {
    const used = hv.memory().usedMiB;
    const guest = await hv.create({ image: "linux", name: "lifecycle" });
    await expect(guest.pause()).rejects.toMatchObject({ code: "invalid-state" });
    await guest.start();
    await guest.waitReady();
    await guest.pause();
    const a = await guest.counters();
    // The worker samples its machine every 500 ms, paused or not: after two samples it has had
    // time enough to run, had it not been paused.
    let samples = 0;
    const sub = guest.on("guest:metrics", () => samples++);
    await vi.waitFor(() => expect(samples).toBeGreaterThanOrEqual(2), { timeout: 5_000, interval: 50 });
    sub.dispose();
    const b = await guest.counters();
    expect(b.instructions).toBe(a.instructions);
    await expect(guest.resume()).resolves.toBeUndefined();
    await expect(guest.resume()).rejects.toBeInstanceOf(HyperlabError);
    expect((await guest.exec("echo back")).output).toBe("back\n");
    await guest.reboot();
    expect(guest.state).toBe("booting");
    await guest.waitReady();
    expect((await guest.exec("cat /proc/uptime")).exitCode).toBe(0);
    await guest.stop();
    expect(guest.state).toBe("stopped");
    expect(hv.memory().usedMiB).toBe(used);
    await guest.start();
    await guest.waitReady();
    expect((await guest.exec("echo again")).output).toBe("again\n");
    await guest.terminate();
  });

  it("answers the shell's cursor question for exec, invisibly, and the console still takes typed lines", async () => {
    const guest = await hv.create({ image: "linux", name: "cursor", console: "serial" });
    try {
      await guest.start();
      await guest.waitReady({ timeoutMs: 60_000 });
      for (let i = 0; i < 3; i++)
        expect(await guest.exec(`echo round ${i}`)).toEqual({ output: `round ${i}\n`, exitCode: 0 });
      // BusyBox ash asks after every prompt (ESC [6n); exec sent a terminal's answer first,
      // which the shell took as a key: it shows nowhere.
      expect(guest.consoles.serial.history()).toContain("\x1b[6n");
      expect(guest.consoles.serial.history()).not.toMatch(/1;1R|\^\[\[/);
      // A line typed as a user would, with no answer, still runs (after the shell's wait).
      const from = guest.consoles.serial.end;
      guest.write("serial", "echo typed-$((6*7))\n");
      await guest.waitFor(/typed-42/, { console: "serial", from });
    } finally {
      await guest.terminate();
    }
  });

  it("boots without v86's JIT and has it once the shell is ready, again after a reboot", async () => {
    const guest = await hv.create({ image: "linux", name: "boot-jit", console: "serial" });
    const modes: boolean[] = [];
    guest.on("guest:metrics", (m) => modes.push(m.jit));
    await guest.start();
    expect(guest.state).toBe("booting");
    expect((await guest.counters()).jit).toBe(false);
    await guest.waitReady({ timeoutMs: 60_000 });
    // The worker saw the marker before the host did: the JIT is on by the time we ask.
    expect((await guest.counters()).jit).toBe(true);
    // The metrics said so too: interpreted while it booted (a cold boot is over a second).
    expect(modes[0]).toBe(false);
    await guest.reboot();
    expect((await guest.counters()).jit).toBe(false);
    await guest.waitReady({ timeoutMs: 60_000 });
    expect((await guest.counters()).jit).toBe(true);
    expect((await guest.exec("echo jitted")).output).toBe("jitted\n");
    await guest.terminate();
  });

  it("refuses a second start while the first is under way", async () => {
    const guest = await hv.create({ image: "linux", name: "twice", console: "serial" });
    const first = guest.start();
    await expect(guest.start()).rejects.toMatchObject({ code: "invalid-state" });
    await first;
    await guest.waitReady({ timeoutMs: 60_000 });
    expect((await guest.exec("echo once")).output).toBe("once\n");
    await guest.terminate();
  });

  it("refuses bad specs with typed errors and reserves nothing", async () => {
    const used = hv.memory().usedMiB;
    const guests = [...hv.guests];
    await expect(hv.create({ image: "nope" })).rejects.toMatchObject({ code: "unknown-image" });
    await expect(hv.create({ image: "linux", memoryMiB: 16 })).rejects.toMatchObject({ code: "memory-too-small" });
    await expect(hv.create({ image: "linux", memoryMiB: 48 })).rejects.toMatchObject({
      code: "memory-not-power-of-two",
    });
    await expect(hv.create({ image: "linux", memoryMiB: 1024 })).rejects.toMatchObject({ code: "memory-over-budget" });
    expect(hv.memory().usedMiB).toBe(used);
    expect(hv.guests).toEqual(guests);
  });
});
