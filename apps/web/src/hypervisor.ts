import {
  GUEST_OVERHEAD_MIB,
  HttpImageSource,
  Hypervisor,
  ImageCatalog,
  browserWorkerChannel,
  browserMemoryBudgetMiB,
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

/** Host memory the page lends its two hosts together: a share of the device's (see browserMemoryBudgetMiB). */
export function pageMemoryBudgetMiB(): number {
  // Chromium says how much memory the device has (in GiB, at most 8); Firefox and Safari do not.
  return browserMemoryBudgetMiB((navigator as { deviceMemory?: number }).deviceMemory);
}

/** The page's hypervisor: images over HTTP from ./images/, one module Worker per guest. */
export function createHypervisor(): Hypervisor {
  const hostMiB = Math.floor(pageMemoryBudgetMiB() / 2);
  return new Hypervisor({
    catalog: new ImageCatalog(new HttpImageSource(new URL("images/", location.href).href)),
    // One worker kept started ahead, so that a launch does not wait for one (see keepSpare).
    channel: keepSpare(browserWorkerChannel(guestWorker)),
    // Two hosts to migrate between (live migration), each lending its guests half the page's
    // memory budget; each guest takes its RAM and what running it in a Web Worker costs.
    hosts: [{ memoryBudgetMiB: hostMiB }, { memoryBudgetMiB: hostMiB }],
    guestOverheadMiB: GUEST_OVERHEAD_MIB.browser,
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
