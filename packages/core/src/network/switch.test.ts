import { describe, expect, it } from "vitest";
import { writeMac } from "./frame.js";
import { MAX_MAC_ENTRIES, VirtualSwitch, type SwitchPort } from "./switch.js";

/** A frame from `src` to `dst` (MACs as numbers) with `size` bytes in all. */
function frame(dst: number, src: number, size = 60): Uint8Array {
  const bytes = new Uint8Array(size);
  writeMac(bytes, 0, dst);
  writeMac(bytes, 6, src);
  bytes[12] = 0x08;
  return bytes;
}

const BROADCAST = 0xffff_ffff_ffff;
const A = 0x02_00_00_00_00_0a;
const B = 0x02_00_00_00_00_0b;
const C = 0x02_00_00_00_00_0c;

function setup(options: ConstructorParameters<typeof VirtualSwitch>[0] = {}) {
  let now = 1000;
  const sw = new VirtualSwitch({ clock: () => now, ...options });
  const got = new Map<string, Uint8Array[]>();
  const port = (name: string, segment = "lan"): SwitchPort => {
    got.set(name, []);
    return sw.addPort({ name, segment, deliver: (f) => got.get(name)!.push(f) });
  };
  return { sw, got, port, advance: (ms: number) => (now += ms) };
}

describe("VirtualSwitch", () => {
  it("floods broadcast and unknown unicast, then forwards to the learned port only", () => {
    const { sw, got, port } = setup();
    const [a, b, c] = [port("a"), port("b"), port("c")];
    sw.receive(a, frame(BROADCAST, A));
    expect([got.get("a")!.length, got.get("b")!.length, got.get("c")!.length]).toEqual([0, 1, 1]);
    sw.receive(b, frame(A, B)); // A is known: only a gets it
    expect([got.get("a")!.length, got.get("c")!.length]).toEqual([1, 1]);
    sw.receive(a, frame(B, A));
    expect([got.get("b")!.length, got.get("c")!.length]).toEqual([2, 1]);
    sw.receive(a, frame(C, A)); // C never spoke: flooded
    expect(got.get("c")!.length).toBe(2);
    expect(a.counters).toMatchObject({ rxFrames: 3, rxBytes: 180, txFrames: 1, txBytes: 60 });
    expect(
      sw
        .macTable("lan")
        .map((e) => e.port.name)
        .sort(),
    ).toEqual(["a", "b"]);
    void c;
  });

  it("learns at most MAX_MAC_ENTRIES addresses a segment, forgetting the least recently seen (MAC flooding)", () => {
    // A guest sending from made-up source addresses grew the table by one entry a frame, for ever.
    const sw = new VirtualSwitch({ clock: () => 0 });
    const flooder = sw.addPort({ name: "a", segment: "s", deliver: () => undefined });
    const received: Uint8Array[] = [];
    const b = sw.addPort({ name: "b", segment: "s", deliver: (f) => received.push(f) });
    sw.receive(b, frame(A, B));
    for (let i = 0; i < MAX_MAC_ENTRIES * 3; i++) sw.receive(flooder, frame(BROADCAST, 0x02_10_00_00_00_00 + i));
    expect(sw.macTable()).toHaveLength(MAX_MAC_ENTRIES);
    expect(sw.macTable().some((entry) => entry.mac === B)).toBe(false);
    // B's frames are flooded until it is seen again, then forwarded to it alone.
    received.length = 0;
    sw.receive(flooder, frame(B, A));
    expect(received).toHaveLength(1);
    sw.receive(b, frame(A, B));
    expect(sw.macTable().some((entry) => entry.mac === B && entry.port === b)).toBe(true);
  });

  it("ages learned addresses out", () => {
    const { sw, got, port, advance } = setup({ ageingMs: 10_000 });
    const [a, b] = [port("a"), port("b")];
    port("c");
    sw.receive(a, frame(B, A));
    advance(5000);
    sw.receive(b, frame(A, B));
    expect(got.get("c")!.length).toBe(1);
    advance(10_001);
    sw.receive(b, frame(A, B)); // A aged out: flooded again
    expect(got.get("c")!.length).toBe(2);
    expect(sw.macTable().map((e) => e.port.name)).toEqual(["b"]);
  });

  it("keeps segments apart, also for broadcast, and forgets a port's MACs when it moves", () => {
    const { sw, got, port } = setup();
    const a = port("a", "red");
    const b = port("b", "red");
    const c = port("c", "blue");
    sw.receive(a, frame(BROADCAST, A));
    sw.receive(c, frame(A, C));
    expect(got.get("c")!.length).toBe(0);
    expect(got.get("a")!.length).toBe(0);
    expect(got.get("b")!.length).toBe(1);
    sw.setSegment(a, "blue");
    sw.receive(c, frame(A, C)); // a now on blue; A unknown there → flooded to a
    expect(got.get("a")!.length).toBe(1);
    expect(got.get("b")!.length).toBe(1);
    void b;
  });

  it("drops and counts malformed and oversized frames without throwing", () => {
    const { sw, got, port } = setup();
    const a = port("a");
    port("b");
    sw.receive(a, new Uint8Array(5));
    sw.receive(a, frame(B, A, 1519));
    sw.receive(a, frame(B, BROADCAST)); // group source address
    sw.receive(a, "garbage" as unknown as Uint8Array);
    sw.receive(a, undefined as unknown as Uint8Array);
    sw.receive(a, frame(B, A, 1518));
    expect(a.counters.drops).toMatchObject({ malformed: 4, oversized: 1 });
    expect(a.counters.rxFrames).toBe(1);
    expect(got.get("b")!.length).toBe(1);
  });

  it("stops traffic both ways while a link is down and restores it when plugged back", () => {
    const { sw, got, port } = setup();
    const [a, b] = [port("a"), port("b")];
    sw.receive(b, frame(A, B));
    sw.setLink(a, false);
    sw.receive(a, frame(B, A));
    sw.receive(b, frame(A, B));
    sw.receive(b, frame(BROADCAST, B));
    expect(got.get("a")!.length).toBe(1);
    expect(got.get("b")!.length).toBe(0);
    expect(a.counters.drops.linkDown).toBe(1);
    sw.setLink(a, true);
    sw.receive(a, frame(B, A));
    sw.receive(b, frame(A, B));
    expect(got.get("a")!.length).toBe(2);
    expect(got.get("b")!.length).toBe(1);
  });

  it("holds frames for a paused port up to a limit, drops and counts the rest, delivers on release", () => {
    const { sw, got, port } = setup({ holdFrames: 3 });
    const [a, b] = [port("a"), port("b")];
    sw.receive(b, frame(BROADCAST, B));
    sw.setHeld(a, true);
    for (let i = 0; i < 5; i++) sw.receive(b, frame(A, B));
    expect(a.counters.held).toBe(3);
    expect(a.counters.drops.heldOverflow).toBe(2);
    expect(got.get("a")!.length).toBe(1);
    sw.setHeld(a, false);
    expect(got.get("a")!.length).toBe(4);
    expect(a.counters).toMatchObject({ held: 0, txFrames: 4 });
  });

  it("rate-limits a port with token buckets for bytes and packets on an injected clock", () => {
    const { sw, got, port, advance } = setup();
    const a = port("a");
    port("b");
    sw.setRateLimit(a, { bytes: { rate: 1000, burst: 300 }, packets: { rate: 10, burst: 4 } });
    for (let i = 0; i < 6; i++) sw.receive(a, frame(B, A, 100));
    expect(got.get("b")!.length).toBe(3); // 300 bytes of burst
    expect(a.counters.drops.rateLimited).toBe(3);
    advance(200); // +200 bytes, +2 packets
    for (let i = 0; i < 6; i++) sw.receive(a, frame(B, A, 60));
    expect(got.get("b")!.length).toBe(6); // 200 bytes and 1 + 2 packet tokens: three 60-byte frames
    sw.setRateLimit(a, undefined);
    for (let i = 0; i < 10; i++) sw.receive(a, frame(B, A, 60));
    expect(got.get("b")!.length).toBe(16);
  });

  it("counts a delivery that throws as a drop", () => {
    const { sw, port } = setup();
    const a = port("a");
    const bad = sw.addPort({
      name: "bad",
      segment: "lan",
      deliver: () => {
        throw new Error("gone");
      },
    });
    expect(() => sw.receive(a, frame(BROADCAST, A))).not.toThrow();
    expect(bad.counters.drops.deliveryFailed).toBe(1);
  });
});
