/**
 * Moved to probes/metrics.ts: probe data is not a device description. This re-export stays
 * only while guest/guest.ts and worker/protocol.ts, which are being reshaped elsewhere, still
 * import it from here; delete it once they import probes/metrics.js.
 */
export * from "../probes/metrics.js";
