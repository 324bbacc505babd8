import { describe, expect, it } from "vitest";
import { encodePcapng, parsePcapng } from "./pcapng.js";

describe("pcapng", () => {
  const frames = [
    { at: 1_700_000_000_123.456, bytes: new Uint8Array(61).fill(1), note: "dropped on the way to web: securityGroup" },
    { at: 1_700_000_001_000, bytes: new Uint8Array(1514).fill(7) },
    { at: 1_700_000_002_000, bytes: new Uint8Array(60).fill(2), note: "ещё: UTF-8" },
  ];

  it("writes a section, an Ethernet interface and a packet block per frame that read back with their comments", () => {
    const file = encodePcapng(frames);
    expect(file.length % 4).toBe(0);
    expect([...file.subarray(0, 4)]).toEqual([0x0a, 0x0d, 0x0d, 0x0a]);
    expect([...file.subarray(8, 12)]).toEqual([0x4d, 0x3c, 0x2b, 0x1a]); // little-endian byte-order magic
    const parsed = parsePcapng(file);
    expect(parsed.linkType).toBe(1);
    expect(parsed.frames.map((f) => [f.bytes, f.note])).toEqual(frames.map((f) => [f.bytes, f.note]));
    expect(parsed.frames[0].at).toBeCloseTo(frames[0].at, 2);
  });

  it("refuses a damaged file with a HyperlabError instead of reading past a block", () => {
    const file = encodePcapng(frames);
    expect(() => parsePcapng(file.subarray(0, file.length - 1))).toThrow(
      expect.objectContaining({ name: "HyperlabError", code: "capture-corrupt" }),
    );
    expect(() => parsePcapng(new Uint8Array(40))).toThrow(/Not a pcapng file/);
    const long = file.slice();
    // The first packet block starts after the 32-byte section header and the 24-byte interface block.
    new DataView(long.buffer).setUint32(56 + 4, 0x7fff_fff0, true);
    expect(() => parsePcapng(long)).toThrow(/Bad block length/);
    const caplen = file.slice();
    new DataView(caplen.buffer).setUint32(56 + 8 + 12, 5000, true);
    expect(() => parsePcapng(caplen)).toThrow(/shorter than its packet/);
  });
});
