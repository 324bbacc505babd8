import { describe, expect, it } from "vitest";
import { BootPhaseTracker, nextPhase } from "./boot-phase";

const MARKER = "hyperlab: ready";

describe("nextPhase", () => {
  it("starts in the BIOS and stays there while nothing is printed", () => {
    expect(nextPhase("bios", "", MARKER)).toBe("bios");
    expect(nextPhase("bios", "\r\n", MARKER)).toBe("bios");
  });

  it("sees the kernel by its banner or by any text", () => {
    expect(nextPhase("bios", "Linux version 6.1.0 (hyperlab@hyperlab) #1", MARKER)).toBe("kernel");
    expect(nextPhase("bios", "[    0.000000] Command line: console=ttyS0", MARKER)).toBe("kernel");
    expect(nextPhase("bios", "random: crng init done", MARKER)).toBe("kernel");
  });

  it("sees init once the kernel hands over to userspace", () => {
    expect(nextPhase("kernel", "Run /init as init process", MARKER)).toBe("init");
    expect(nextPhase("bios", "Freeing unused kernel image (initmem) memory: 400K", MARKER)).toBe("init");
  });

  it("sees the shell at the ready marker", () => {
    expect(nextPhase("init", "hyperlab: ready\r\nguest:/# ", MARKER)).toBe("shell");
    expect(nextPhase("bios", "hyperlab: ready", MARKER)).toBe("shell");
  });

  it("never goes back", () => {
    expect(nextPhase("init", "Linux version 6.1.0", MARKER)).toBe("init");
    expect(nextPhase("shell", "Linux version 6.1.0", MARKER)).toBe("shell");
  });
});

describe("BootPhaseTracker", () => {
  it("follows a boot across chunks, including a marker split in two", () => {
    const tracker = new BootPhaseTracker(MARKER);
    expect(tracker.phase).toBe("bios");
    expect(tracker.feed("Linux version 6.1.192 (hyperlab@hyperlab)\r\n")).toBe("kernel");
    expect(tracker.feed("Run /init as init process\r\n")).toBe("init");
    expect(tracker.feed("hyperlab: re")).toBe("init");
    expect(tracker.feed("ady\r\nguest:/# ")).toBe("shell");
  });

  it("starts over on reset (a reboot)", () => {
    const tracker = new BootPhaseTracker(MARKER);
    tracker.feed("hyperlab: ready");
    tracker.reset();
    expect(tracker.phase).toBe("bios");
  });
});
