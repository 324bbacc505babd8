import { describe, expect, it } from "vitest";
import { inSubshell } from "../one-shot.js";
import { guestNameFor, isImageFile } from "../image-file.js";
import { imagesTable } from "./images.js";
import { droppedPath } from "../capture-file.js";
import { prefixLines } from "./up.js";

describe("hyperlab up output", () => {
  it("prefixes every line with the guest's name", () => {
    expect(prefixLines("a", "one\ntwo\n")).toBe("a: one\na: two\n");
    expect(prefixLines("a", "no newline")).toBe("a: no newline\n");
    expect(prefixLines("a", "")).toBe("");
  });
});

describe("hyperlab up --capture", () => {
  it("puts the dropped frames beside the capture, as pcapng", () => {
    expect(droppedPath("lab.pcap")).toBe("lab.dropped.pcapng");
    expect(droppedPath("/tmp/x.PCAP")).toBe("/tmp/x.dropped.pcapng");
    expect(droppedPath("capture")).toBe("capture.dropped.pcapng");
  });
});

describe("images", () => {
  it("tells files from catalog ids", () => {
    expect(isImageFile("linux")).toBe(false);
    expect(isImageFile("./linux")).toBe(true);
    expect(isImageFile("disk.img")).toBe(true);
    expect(isImageFile("/tmp/x")).toBe(true);
  });

  it("names a guest after its file", () => {
    expect(guestNameFor("/tmp/my kernel (2).bzImage")).toBe("my-kernel-2-.bzImage");
    expect(guestNameFor("/tmp/...")).toBe("guest");
  });

  it("prints the catalog as a table", () => {
    const table = imagesTable([
      {
        id: "linux",
        title: "Tiny Linux",
        kind: "bzimage",
        minMemoryMiB: 32,
        defaultMemoryMiB: 32,
        drivers: ["8250", "virtio-net"],
        sizeBytes: 3 * 2 ** 20,
      },
    ]);
    expect(table.split("\n")).toEqual([
      "ID     KIND     MEMORY (MIN/DEFAULT)  SIZE     DRIVERS          TITLE",
      "linux  bzimage  32/32 MiB             3.0 MiB  8250,virtio-net  Tiny Linux",
    ]);
  });
});

describe("one-shot commands", () => {
  it("run in a subshell so that exit ends only the subshell", () => {
    expect(inSubshell(" exit 3 ")).toBe("(\nexit 3\n)");
  });
});
