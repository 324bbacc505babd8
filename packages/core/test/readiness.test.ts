/**
 * Integration: one readiness rule for every guest, and `exec` returns only what its command
 * printed — on real guests, including the ones users bring.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { createNodeHypervisor, findImagesDir } from "../src/node/index.js";

const hv = createNodeHypervisor({ memoryBudgetMiB: 512 });
afterAll(() => hv.shutdown());
afterEach(() => hv.shutdown());

/** The catalog's kernel as a file a user brings: no ready marker comes with it. */
function userKernel(): Uint8Array {
  return new Uint8Array(readFileSync(join(findImagesDir(), "linux", "bzImage")));
}

/** A disk whose boot sector halts at once (cli; hlt; jmp $-1): it shows nothing on any console. */
function haltingDisk(): Uint8Array {
  const disk = new Uint8Array(512);
  disk.set([0xfa, 0xf4, 0xeb, 0xfd]);
  disk[510] = 0x55;
  disk[511] = 0xaa;
  return disk;
}

describe("readiness and exec", () => {
  it("a user's kernel is booting until its shell prompt settles, then exec answers exactly", async () => {
    const guest = await hv.create({ name: "mine", image: { name: "my-kernel.bin", bytes: userKernel() } });
    expect(guest.readiness.kind).toBe("prompt");
    await guest.start();
    expect(guest.state).toBe("booting");
    expect(guest.isReady()).toBe(false);
    await guest.waitReady({ timeoutMs: 60_000 });
    expect(guest.state).toBe("running");
    const result = await guest.exec("uname -r");
    expect(result.exitCode).toBe(0);
    expect(result.output).toMatch(/^\d+\.\d+\.\d+\S*\n$/);
    expect((await guest.exec("echo $((6*7))")).output).toBe("42\n");
  });

  it("a guest that shows only the VGA screen cannot be waited for: a typed error, not a false ready", async () => {
    const guest = await hv.create({ name: "loader", image: { name: "loader.img", bytes: haltingDisk() } });
    expect(guest.readiness.kind).toBe("none");
    await guest.start();
    await expect(guest.waitReady({ timeoutMs: 5_000 })).rejects.toMatchObject({ code: "no-shell" });
    await expect(guest.exec("true", { timeoutMs: 5_000 })).rejects.toMatchObject({ code: "no-shell" });
    // The machine runs; only its shell cannot be seen.
    expect(guest.state).toBe("running");
  });

  it("an exec whose line was typed over fails with exec-garbled instead of returning text", async () => {
    const guest = await hv.create({ name: "typed-over", image: "linux", console: "serial" });
    if (!(await hv.startInstant(guest)).instant) await guest.waitReady();
    // Someone types on the same console just before exec does: the shell gets "zzecho …".
    guest.write("serial", "zz");
    await expect(guest.exec("echo hidden")).rejects.toMatchObject({ code: "exec-garbled" });
    // The shell is fine, and the next exec answers as usual.
    expect(await guest.exec("echo fine")).toEqual({ output: "fine\n", exitCode: 0 });
  });

  it("a user's ready pattern decides, and a bad one is refused before anything starts", async () => {
    await expect(
      hv.create({ name: "bad", image: { name: "k.bin", bytes: userKernel(), readyPattern: "([" } }),
    ).rejects.toMatchObject({ code: "invalid-spec", details: { reason: "ready-pattern" } });
    expect(hv.guests).toHaveLength(0);
    const guest = await hv.create({
      name: "patterned",
      image: { name: "k.bin", bytes: userKernel(), readyPattern: "hyperlab: ready" },
    });
    expect(guest.readiness).toMatchObject({ kind: "pattern", what: "hyperlab: ready" });
    await guest.start();
    await guest.waitReady({ timeoutMs: 60_000 });
    expect(guest.consoles.serial.history()).toContain("hyperlab: ready");
    expect((await guest.exec("echo ok")).output).toBe("ok\n");
  });
});
