/**
 * Entry of a guest worker in a browser (a module Worker). The app creates the worker from a
 * small file that imports this module and passes the URL of v86.wasm in the boot config.
 */
import type { HostMessage, WorkerMessage } from "./protocol.js";
import { crashReason, serveGuest } from "./runtime.js";

/** The few members of a worker's global scope used here (core has no DOM lib). */
interface WorkerScope {
  postMessage(message: WorkerMessage, transfer?: ArrayBuffer[]): void;
  addEventListener(type: "message", listener: (event: { data: HostMessage }) => void): void;
  addEventListener(
    type: "error" | "unhandledrejection",
    listener: (event: { error?: unknown; reason?: unknown; message?: string; preventDefault(): void }) => void,
  ): void;
  close(): void;
}

export function startBrowserGuestWorker(): void {
  const scope = globalThis as unknown as WorkerScope;
  const fatal = (reason: string) => {
    scope.postMessage({ type: "fatal", reason });
    scope.close();
  };
  scope.addEventListener("error", (event) => {
    event.preventDefault();
    fatal(crashReason(event.error ?? event.message));
  });
  scope.addEventListener("unhandledrejection", (event) => {
    event.preventDefault();
    fatal(crashReason(event.reason));
  });
  serveGuest({
    post: (message, transfer) => scope.postMessage(message, transfer),
    listen: (handler) => scope.addEventListener("message", (event) => handler(event.data)),
  });
}
