/**
 * Fuzzing capture files: what Hyperlab writes (pcap, and pcapng with a comment per packet) reads
 * back as the frames it was given, whatever the frames, times and comments; and the readers
 * (used on files a user hands back, and by the tests) answer any bytes with the frames or a
 * HyperlabError, never allocating more than the file holds.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applyEdits, byteEdits, fuzz, outcome } from "../testing/fuzz.js";
import { encodePcap, parsePcap } from "./pcap.js";
import { encodePcapng, parsePcapng } from "./pcapng.js";

/** A frame as the switch hands it to a capture: up to 1518 bytes, a wall-clock time in ms. */
const captured = fc.record({
  at: fc.oneof(fc.integer({ min: 0, max: 4_000_000_000_000 }), fc.double({ min: 0, max: 4e12, noNaN: true })),
  bytes: fc.uint8Array({ maxLength: 1518 }),
});
const noted = fc.record({
  at: captured.map((c) => c.at),
  bytes: fc.uint8Array({ maxLength: 1518 }),
  note: fc.option(fc.string({ unit: "grapheme", maxLength: 80 }), { nil: undefined }),
});

const realPcap = encodePcap([
  { at: 1_700_000_000_123.456, bytes: new Uint8Array(60).fill(1) },
  { at: 1_700_000_001_000, bytes: new Uint8Array(98).fill(2) },
]);
const realPcapng = encodePcapng([
  { at: 1_700_000_000_123.456, bytes: new Uint8Array(60).fill(1), note: "dropped on the way to web: securityGroup" },
  { at: 1_700_000_001_000, bytes: new Uint8Array(98).fill(2) },
]);

/** Any bytes, or a real file damaged. */
const damaged = (real: Uint8Array) =>
  fc.oneof(
    fc.uint8Array({ maxLength: 600 }),
    byteEdits({ maxEdits: 4 }).map((edits) => applyEdits(real, edits)),
  );

describe("pcap (fuzzed)", () => {
  {
    const { title, options } = fuzz("encodePcap then parsePcap gives back every frame, to the microsecond", 500);
    it(title, () => {
      fc.assert(
        fc.property(fc.array(captured, { maxLength: 20 }), (frames) => {
          const file = parsePcap(encodePcap(frames));
          expect(file.frames.map((f) => f.bytes)).toEqual(frames.map((f) => f.bytes));
          file.frames.forEach((f, i) => expect(Math.abs(f.at - frames[i].at)).toBeLessThanOrEqual(0.001));
        }),
        options,
      );
    });
  }

  {
    const { title, options } = fuzz("parsePcap on any bytes: frames within the file, or a HyperlabError", 3000);
    it(title, () => {
      fc.assert(
        fc.property(damaged(realPcap), (bytes) => {
          const result = outcome(() => parsePcap(bytes));
          if (result.ok)
            expect(result.value.frames.reduce((sum, f) => sum + 16 + f.bytes.length, 24)).toBe(bytes.length);
          else expect(result.error.code).toBe("capture-corrupt");
        }),
        options,
      );
    });
  }
});

describe("pcapng (fuzzed)", () => {
  {
    const { title, options } = fuzz("encodePcapng then parsePcapng gives back every frame and its comment", 500);
    it(title, () => {
      fc.assert(
        fc.property(fc.array(noted, { maxLength: 20 }), (frames) => {
          const file = parsePcapng(encodePcapng(frames));
          expect(file.frames.map((f) => [f.bytes, f.note])).toEqual(frames.map((f) => [f.bytes, f.note || undefined]));
          file.frames.forEach((f, i) => expect(Math.abs(f.at - frames[i].at)).toBeLessThanOrEqual(0.001));
        }),
        options,
      );
    });
  }

  {
    const { title, options } = fuzz("parsePcapng on any bytes: frames within the file, or a HyperlabError", 3000);
    it(title, () => {
      fc.assert(
        fc.property(damaged(realPcapng), (bytes) => {
          const result = outcome(() => parsePcapng(bytes));
          if (result.ok)
            expect(result.value.frames.reduce((sum, f) => sum + f.bytes.length, 0)).toBeLessThanOrEqual(bytes.length);
          else expect(result.error.code).toBe("capture-corrupt");
        }),
        options,
      );
    });
  }
});
