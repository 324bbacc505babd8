/** Entry of a guest worker under Node's worker_threads. */
import { createRequire } from "node:module";
import { parentPort } from "node:worker_threads";
import { crashReason, serveGuest } from "./runtime.js";

const port = parentPort;
if (!port) throw new Error("node-entry runs as a worker thread");

// v86 throws asynchronously on some guests; say why before the thread ends, so the host
// can mark just this guest as crashed.
const fatal = (error: unknown) => {
  port.postMessage({ type: "fatal", reason: crashReason(error) });
  process.exit(1);
};
process.on("uncaughtException", fatal);
process.on("unhandledRejection", fatal);

serveGuest(
  {
    post: (message, transfer) => port.postMessage(message, transfer),
    listen: (handler) => port.on("message", handler),
  },
  { wasmUrl: createRequire(import.meta.url).resolve("v86/build/v86.wasm") },
);
