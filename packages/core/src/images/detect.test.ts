import { describe, expect, it } from "vitest";
import { checkUserImage, detectImageKind, padTo512 } from "./detect.js";
import { HyperlabError } from "../errors.js";

function withText(size: number, offset: number, text: string): Uint8Array {
  const bytes = new Uint8Array(size);
  bytes.set(new TextEncoder().encode(text), offset);
  return bytes;
}

describe("detectImageKind", () => {
  it("knows a bzImage, an ISO and a disk", () => {
    expect(detectImageKind(withText(4096, 0x202, "HdrS"))).toBe("bzimage");
    expect(detectImageKind(withText(0x9000, 0x8001, "CD001"))).toBe("iso");
    const disk = new Uint8Array(1024);
    disk[510] = 0x55;
    disk[511] = 0xaa;
    expect(detectImageKind(disk)).toBe("disk");
    expect(detectImageKind(new TextEncoder().encode("hello"))).toBeUndefined();
  });

  it("refuses a file that is no bootable image, with a sentence", () => {
    expect(() => checkUserImage("notes.txt", new TextEncoder().encode("hello"))).toThrow(HyperlabError);
    expect(() => checkUserImage("notes.txt", new TextEncoder().encode("hello"))).toThrow(/not a bootable image/);
    expect(() => checkUserImage("empty.img", new Uint8Array(0))).toThrow(/empty/);
  });

  it("pads a kernel to a multiple of 512 bytes", () => {
    expect(padTo512(new Uint8Array(513)).length).toBe(1024);
    const exact = new Uint8Array(1024);
    expect(padTo512(exact)).toBe(exact);
  });
});
