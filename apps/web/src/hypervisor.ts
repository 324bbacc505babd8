import {
  HttpImageSource,
  Hypervisor,
  ImageCatalog,
  browserWorkerChannel,
  keepSpare,
  type BrowserWorkerLike,
} from "@hyperlab/core";
import wasmUrl from "v86/build/v86.wasm?url";

/** A module Worker for one guest (the bundler sees the URL and builds guest.worker.ts as a chunk). */
function guestWorker(): BrowserWorkerLike {
  const worker = new Worker(new URL("./guest.worker.ts", import.meta.url), { type: "module" });
  // DOM's postMessage overloads differ from core's DOM-free description only in optional typing.
  return worker as unknown as BrowserWorkerLike;
}

/** The page's hypervisor: images over HTTP from ./images/, one module Worker per guest. */
export function createHypervisor(): Hypervisor {
  return new Hypervisor({
    catalog: new ImageCatalog(new HttpImageSource(new URL("images/", location.href).href)),
    // One worker kept started ahead, so that a launch does not wait for one (see keepSpare).
    channel: keepSpare(browserWorkerChannel(guestWorker)),
    // Two hosts to migrate between (live migration), each lending its guests 512 MiB.
    hosts: [{ memoryBudgetMiB: 512 }, { memoryBudgetMiB: 512 }],
    hostCores: navigator.hardwareConcurrency || 1,
    machineCores: navigator.hardwareConcurrency || undefined,
    wasmUrl: new URL(wasmUrl, location.href).href,
    // Compiled once on the page and shared by every guest's worker.
    compileWasm: async () => {
      const response = await fetch(new URL(wasmUrl, location.href));
      if (!response.ok) throw new Error(`v86.wasm: HTTP ${response.status}`);
      return WebAssembly.compile(await response.arrayBuffer());
    },
  });
}
