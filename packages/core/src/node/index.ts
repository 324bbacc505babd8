import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { availableParallelism, totalmem } from "node:os";
import { ImageCatalog } from "../images/catalog.js";
import { Hypervisor, type HypervisorOptions } from "../hypervisor.js";
import { FolderImageSource } from "./images.js";
import { nodeWorkerChannel } from "../worker/node-channel.js";
import { wasm } from "../wasm.js";

const require = createRequire(import.meta.url);

export { FolderImageSource, findImagesDir } from "./images.js";
export { nodeWorkerChannel } from "../worker/node-channel.js";
export { SnapshotFiles } from "./snapshot-files.js";

/** Half the machine's memory, at most 8 GiB: room for many guests without starving the host. */
export function defaultNodeMemoryBudgetMiB(): number {
  return Math.min(8192, Math.floor(totalmem() / 2 ** 20 / 2));
}

/** A hypervisor for Node: guests in worker threads, images from the repository's images/ folder. */
export function createNodeHypervisor(options: Partial<HypervisorOptions> & { imagesDir?: string } = {}): Hypervisor {
  return new Hypervisor({
    catalog: options.catalog ?? new ImageCatalog(new FolderImageSource(options.imagesDir)),
    channel: options.channel ?? nodeWorkerChannel,
    memoryBudgetMiB: options.memoryBudgetMiB ?? defaultNodeMemoryBudgetMiB(),
    hostCores: options.hostCores ?? availableParallelism(),
    machineCores: options.machineCores ?? availableParallelism(),
    wasmUrl: options.wasmUrl,
    compileWasm:
      options.compileWasm ??
      (async () => wasm.compile(await readFile(options.wasmUrl ?? require.resolve("v86/build/v86.wasm")))),
    hosts: options.hosts,
  });
}
