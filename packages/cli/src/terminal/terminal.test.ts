import { describe, expect, it } from "vitest";
import { EscapeFilter } from "./escape.js";
import { LineBuffer } from "./lines.js";

const bytes = (...values: (number | string)[]) =>
  Uint8Array.from(values.flatMap((v) => (typeof v === "string" ? [...v].map((c) => c.charCodeAt(0)) : [v])));

describe("EscapeFilter", () => {
  it("passes ordinary keys, Ctrl-C included", () => {
    expect(new EscapeFilter().feed(bytes("ls", 0x03, "\r"))).toEqual({ bytes: bytes("ls", 0x03, "\r"), actions: [] });
  });

  it("quits on Ctrl-A x, even across chunks", () => {
    const filter = new EscapeFilter();
    expect(filter.feed(bytes("a", 0x01))).toEqual({ bytes: bytes("a"), actions: [] });
    expect(filter.feed(bytes("x"))).toEqual({ bytes: bytes(), actions: ["quit"] });
  });

  it("sends one Ctrl-A for Ctrl-A Ctrl-A, offers help, drops other combinations", () => {
    const filter = new EscapeFilter();
    expect(filter.feed(bytes(0x01, 0x01, 0x01, "h", 0x01, "z", "b"))).toEqual({
      bytes: bytes(0x01, "b"),
      actions: ["help"],
    });
  });
});

describe("LineBuffer", () => {
  it("hands out whole lines and keeps the rest for the end", () => {
    const lines = new LineBuffer();
    expect(lines.push(bytes("echo a\necho"))).toEqual([bytes("echo a\n")]);
    expect(lines.push(bytes(" b\n"))).toEqual([bytes("echo b\n")]);
    expect(lines.push(bytes("tail"))).toEqual([]);
    expect(lines.rest()).toEqual(bytes("tail"));
    expect(lines.rest()).toBeUndefined();
  });
});
