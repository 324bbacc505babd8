#!/usr/bin/env node
/**
 * Makes the ready snapshots of the default image (instant launch): boots a guest of each
 * shape below under @hyperlab/core, waits for its shells, saves it, and lists the files in
 * images/manifest.json as `readySnapshots` of image "linux" (path, size, sha256, shape).
 * Each snapshot records the sha256 of the bzImage it was made from; a snapshot of another
 * build is refused at launch (and the guest cold-boots), so run this after every kernel build:
 *
 *   pnpm --filter @hyperlab/core build && node images/make-snapshot.mjs
 *
 * The image's command line has `init_on_free=1`: the kernel zeroes the memory it frees during
 * boot, so v86 leaves those pages out: ~3 MiB instead of ~5 MiB.
 *
 * Unlike the bzImage, a ready snapshot is not reproducible, and the manifest says so for each
 * (`reproducible: false` and why): see NOT_REPRODUCIBLE.
 */
import { readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const { createNodeHypervisor, SnapshotFiles } = await import(join(here, "../packages/core/dist/node/index.js"));
const { sha256Hex } = await import(join(here, "../packages/core/dist/index.js"));

const IMAGE = "linux";
/** The shapes the lab app launches (its device models) and the API default. */
const SHAPES = [
  { id: "32m-both-none", memoryMiB: 32, console: "both", net: "none", balloon: false },
  { id: "32m-serial-ne2k", memoryMiB: 32, console: "serial", net: "ne2k", balloon: false },
  { id: "32m-virtio-virtio-balloon", memoryMiB: 32, console: "virtio", net: "virtio", balloon: true },
  { id: "32m-both-virtio", memoryMiB: 32, console: "both", net: "virtio", balloon: false },
];
const DIR = join(here, IMAGE, "ready");
const NOT_REPRODUCIBLE =
  "a running machine: its memory holds the guest's clocks and timers (set from the host's clock at boot), " +
  "its random pool, its DHCP transaction ids and where its code was when each interrupt came, which depend " +
  "on how the host scheduled the emulator; the header records when it was made. Two runs give different " +
  "bytes; each file is checked by the sha256 here and records the sha256 of the bzImage it was made from.";

const hv = createNodeHypervisor({ imagesDir: here, memoryBudgetMiB: 256 });
await rm(DIR, { recursive: true, force: true });
const store = new SnapshotFiles(DIR);
const entries = [];
try {
  for (const shape of SHAPES) {
    const started = Date.now();
    const { id, ...spec } = shape;
    const guest = await hv.create({ image: IMAGE, name: `ready-${id}`, ...spec });
    await guest.start();
    for (const console of guest.consoleKinds) await guest.waitReady({ console, timeoutMs: 120_000 });
    // A guest with a NIC asks for its address at boot: save it holding its lease, its DHCP client
    // idle (an instant launch gives the copy its own MAC, and the client asks again).
    if (spec.net !== "none") await hv.network.waitForLease(guest, { timeoutMs: 60_000 });
    // Let the shells print their prompts and the kernel settle before saving.
    await new Promise((r) => setTimeout(r, 500));
    const snapshot = await guest.snapshot();
    await guest.terminate();
    await store.save(snapshot, id);
    const bytes = new Uint8Array(await readFile(join(DIR, `${id}.hlsnap`)));
    entries.push({
      path: `${IMAGE}/ready/${id}.hlsnap`,
      size: bytes.length,
      sha256: await sha256Hex(bytes),
      ...spec,
      reproducible: false,
      notReproducibleBecause: NOT_REPRODUCIBLE,
    });
    process.stderr.write(
      `${id}: ${(bytes.length / 2 ** 20).toFixed(2)} MiB in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
    );
  }
} finally {
  await hv.shutdown();
}

// Edit only our own lines of the manifest (images/build.sh writes the rest in its own layout).
const manifestPath = join(here, "manifest.json");
let text = await readFile(manifestPath, "utf8");
text = text.replace(/\n[ \t]*"readySnapshots": \[[\s\S]*?\n[ \t]*\],/, "");
const at = text.indexOf(`"id": "${IMAGE}"`);
const drivers = /\n([ \t]*)"drivers":/g;
drivers.lastIndex = at;
const found = drivers.exec(text);
if (at < 0 || !found)
  throw new Error(`image "${IMAGE}" in ${manifestPath} has no "drivers" line to put readySnapshots before`);
const indent = found[1];
const block = `\n${indent}"readySnapshots": [\n${entries.map((e) => `${indent}  ${JSON.stringify(e)}`).join(",\n")}\n${indent}],`;
text = text.slice(0, found.index) + block + text.slice(found.index);
JSON.parse(text);
await writeFile(manifestPath, text);
process.stderr.write(`wrote ${entries.length} ready snapshots of "${IMAGE}" to ${manifestPath}\n`);
process.exit(0);
