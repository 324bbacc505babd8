import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { availableParallelism, totalmem } from "node:os";
import { nodeMemoryBudgetMiB } from "../admission/budget.js";
import { GUEST_OVERHEAD_MIB } from "../admission/overhead.js";
import { ImageCatalog } from "../images/catalog.js";
import { Hypervisor, type HypervisorOptions } from "../hypervisor.js";
import { FolderImageSource } from "./images.js";
import { nodeWorkerChannel } from "../worker/node-channel.js";
import { wasm } from "../wasm.js";

const require = createRequire(import.meta.url);

export { FolderImageSource, findImagesDir } from "./images.js";
export { nodeWorkerChannel } from "../worker/node-channel.js";
export { SnapshotFiles } from "./snapshot-files.js";

/** The machine's memory in MiB, as the OS reports it. */
export function machineMemoryMiB(): number {
  return Math.floor(totalmem() / 2 ** 20);
}

/**
 * The machine's memory less a quarter of it (at least 512 MiB) that the host keeps for itself:
 * guests take their RAM and their overhead (GUEST_OVERHEAD_MIB.node each) from the rest.
 */
export function defaultNodeMemoryBudgetMiB(machineMiB = machineMemoryMiB()): number {
  return nodeMemoryBudgetMiB(machineMiB);
}

export interface NodeHypervisorOptions extends Partial<HypervisorOptions> {
  imagesDir?: string;
  /** The machine's memory in MiB that the default budget is taken from; by default the OS's figure. */
  machineMemoryMiB?: number;
}

/** A hypervisor for Node: guests in worker threads, images from the repository's images/ folder. */
export function createNodeHypervisor(options: NodeHypervisorOptions = {}): Hypervisor {
  return new Hypervisor({
    catalog: options.catalog ?? new ImageCatalog(new FolderImageSource(options.imagesDir)),
    channel: options.channel ?? nodeWorkerChannel,
    memoryBudgetMiB: options.memoryBudgetMiB ?? defaultNodeMemoryBudgetMiB(options.machineMemoryMiB),
    guestOverheadMiB: options.guestOverheadMiB ?? GUEST_OVERHEAD_MIB.node,
    hostCores: options.hostCores ?? availableParallelism(),
    machineCores: options.machineCores ?? availableParallelism(),
    wasmUrl: options.wasmUrl,
    compileWasm:
      options.compileWasm ??
      (async () => wasm.compile(await readFile(options.wasmUrl ?? require.resolve("v86/build/v86.wasm")))),
    hosts: options.hosts,
  });
}
