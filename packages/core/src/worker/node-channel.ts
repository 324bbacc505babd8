import { Worker } from "node:worker_threads";
import { describeError } from "../errors.js";
import type { ChannelFactory, GuestChannel } from "./channel.js";
import type { WorkerMessage } from "./protocol.js";

// Resolved from the package root, so this works from src/ (tests) and dist/ alike;
// the worker itself always runs the built JavaScript.
const ENTRY = new URL("../../dist/worker/node-entry.js", import.meta.url);

/** Each guest in its own worker thread: a v86 throw ends that thread, not the process. */
export const nodeWorkerChannel: ChannelFactory = (): GuestChannel => {
  const worker = new Worker(ENTRY, { stdout: false, stderr: false });
  let failed: ((reason: string) => void) | undefined;
  let done = false;
  let reason: string | undefined;
  const fail = (why: string) => {
    if (done) return;
    done = true;
    void worker.terminate();
    failed?.(why);
  };
  worker.on("error", (error) => fail(reason ?? describeError(error)));
  worker.on("exit", (code) => fail(reason ?? `the guest worker exited with code ${code}`));
  return {
    send: (message, transfer) => worker.postMessage(message, transfer),
    onMessage: (handler) =>
      worker.on("message", (message: WorkerMessage) => {
        if (message.type === "fatal") {
          reason = message.reason;
          fail(message.reason);
        } else handler(message);
      }),
    onFailure: (handler) => {
      failed = handler;
    },
    terminate: async () => {
      done = true;
      await worker.terminate();
    },
  };
};
