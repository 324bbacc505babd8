import { describe, expect, it } from "vitest";
import { BootJit } from "./boot-jit.js";

const bytes = (text: string) => new TextEncoder().encode(text);

function tracked(limit?: number) {
  const calls: boolean[] = [];
  const jit = new BootJit((on) => calls.push(on), "hyperlab: ready", limit);
  return { jit, calls };
}

describe("BootJit", () => {
  it("turns the JIT off for a boot and on when the marker arrives a byte at a time", () => {
    const { jit, calls } = tracked();
    jit.booting();
    expect(jit.jit).toBe(false);
    for (const byte of bytes("Linux version 6.1\r\nhyperlab: read")) jit.output("serial", byte);
    expect(jit.jit).toBe(false);
    jit.output("serial", "y".charCodeAt(0));
    expect(jit.jit).toBe(true);
    expect(calls).toEqual([false, true]);
  });

  it("sees a marker split across buffers, on either console, and not two halves on two consoles", () => {
    const { jit } = tracked();
    jit.booting();
    jit.output("virtio", bytes("\r\nhyperlab:"));
    jit.output("serial", bytes(" ready"));
    expect(jit.jit).toBe(false);
    jit.output("virtio", bytes(" rea"));
    jit.output("virtio", bytes("dy\r\n# "));
    expect(jit.jit).toBe(true);
  });

  it("turns the JIT on after the instruction limit when no marker comes", () => {
    const { jit, calls } = tracked(1_000);
    jit.booting();
    jit.executedInstructions(600);
    expect(jit.jit).toBe(false);
    jit.executedInstructions(600);
    expect(jit.jit).toBe(true);
    // A reset boots again: off, and the count starts over.
    jit.booting();
    jit.executedInstructions(600);
    expect(jit.jit).toBe(false);
    expect(calls).toEqual([false, true, false]);
  });

  it("leaves the JIT alone when it is on, and a restore turns it on", () => {
    const { jit, calls } = tracked();
    jit.output("serial", bytes("hyperlab: ready"));
    jit.done();
    expect(calls).toEqual([]);
    jit.booting();
    jit.done();
    expect(calls).toEqual([false, true]);
  });
});
