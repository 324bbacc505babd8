/**
 * Image files over HTTP (a stubbed fetch): a missing file, a file longer than the catalog says
 * (refused as soon as it is, not after reading it all), and other bytes of the right size.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { ImageCatalog, sha256Hex } from "./catalog.js";
import { HttpImageSource } from "./http.js";

const KIB = 1024;

/** A response streaming `chunks` chunks of 1 KiB; counts how many were pulled. */
function streamed(chunks: number, headers: Record<string, string> = {}) {
  const pulled = { count: 0 };
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled.count === chunks) return controller.close();
      pulled.count++;
      controller.enqueue(new Uint8Array(KIB).fill(7));
    },
  });
  return { response: new Response(body, { headers }), pulled };
}

async function catalogFor(file: { size: number; sha256: string }) {
  const manifest = {
    version: 1,
    images: [
      {
        id: "tiny",
        title: "Tiny",
        description: "test",
        kind: "bzimage",
        files: {
          bzimage: { path: "tiny/bzImage", ...file },
          bios: { path: "bios.bin", size: 1, sha256: await sha256Hex(new Uint8Array(1)) },
          vgaBios: { path: "vga.bin", size: 1, sha256: await sha256Hex(new Uint8Array(1)) },
        },
        minMemoryMiB: 16,
        defaultMemoryMiB: 32,
        drivers: [],
      },
    ],
  };
  return manifest;
}

afterEach(() => vi.unstubAllGlobals());

describe("images over HTTP", () => {
  it("stops reading a file as soon as it is longer than the catalog says", async () => {
    const { response, pulled } = streamed(1000);
    vi.stubGlobal("fetch", async () => response);
    const source = new HttpImageSource("https://lab.example/images/");
    await expect(source.read("tiny/bzImage", undefined, 4 * KIB)).rejects.toMatchObject({
      code: "image-corrupt",
      details: { reason: "too-long", maxBytes: 4 * KIB },
    });
    // One chunk past the limit at most: the rest was never pulled.
    expect(pulled.count).toBeLessThanOrEqual(6);
  });

  it("refuses a file whose announced length is too long without reading it", async () => {
    const { response, pulled } = streamed(1000, { "content-length": String(1000 * KIB) });
    vi.stubGlobal("fetch", async () => response);
    await expect(new HttpImageSource("https://lab.example/").read("x", undefined, KIB)).rejects.toMatchObject({
      code: "image-corrupt",
    });
    expect(pulled.count).toBeLessThanOrEqual(1);
  });

  it("says which file is missing, and which has other bytes, with a sentence", async () => {
    const good = new Uint8Array(2 * KIB).fill(7);
    const manifest = await catalogFor({ size: good.length, sha256: await sha256Hex(good) });
    const files: Record<string, Uint8Array | undefined> = {
      "bios.bin": new Uint8Array(1),
      "vga.bin": new Uint8Array(1),
      "tiny/bzImage": undefined,
    };
    vi.stubGlobal("fetch", async (url: string) => {
      const path = new URL(url).pathname.replace(/^\/images\//, "");
      if (path === "manifest.json") return new Response(JSON.stringify(manifest));
      const bytes = files[path];
      return bytes ? new Response(bytes) : new Response("not here", { status: 404 });
    });
    const catalog = new ImageCatalog(new HttpImageSource("https://lab.example/images/"));
    await expect(catalog.load("tiny")).rejects.toMatchObject({
      code: "image-missing",
      message: expect.stringContaining("tiny/bzImage could not be read"),
    });
    files["tiny/bzImage"] = new Uint8Array(2 * KIB).fill(8);
    await expect(catalog.load("tiny")).rejects.toMatchObject({
      code: "image-corrupt",
      message: expect.stringContaining("tiny/bzImage"),
    });
    files["tiny/bzImage"] = good;
    await expect(catalog.load("tiny")).resolves.toMatchObject({ kind: "bzimage" });
  });
});
