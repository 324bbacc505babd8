export { startBrowserGuestWorker } from "./browser-entry.js";
export { serveGuest, type WorkerEndpoint } from "./runtime.js";
