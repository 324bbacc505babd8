import type { HostMessage, WorkerMessage } from "./protocol.js";

/**
 * The host's end of one guest's worker. A worker that dies (a v86 throw, a crash, a kill)
 * reports it through `onFailure` once; `terminate` ends it on purpose and reports nothing.
 */
export interface GuestChannel {
  send(message: HostMessage, transfer?: ArrayBuffer[]): void;
  onMessage(handler: (message: WorkerMessage) => void): void;
  onFailure(handler: (reason: string) => void): void;
  terminate(): Promise<void>;
}

/** Makes a new worker for a guest: Node worker_threads or a browser Worker. */
export type ChannelFactory = () => GuestChannel;

/** The members of a browser Worker a channel uses (core has no DOM lib). */
export interface BrowserWorkerLike {
  postMessage(message: unknown, transfer?: ArrayBuffer[]): void;
  addEventListener(type: "message", listener: (event: { data: WorkerMessage }) => void): void;
  addEventListener(type: "error" | "messageerror", listener: (event: { message?: string }) => void): void;
  terminate(): void;
}

/** A channel over a browser Worker made by `create` (e.g. `new Worker(url, {type: "module"})`). */
export function browserWorkerChannel(create: () => BrowserWorkerLike): ChannelFactory {
  return () => {
    const worker = create();
    let failed: ((reason: string) => void) | undefined;
    let done = false;
    const fail = (reason: string) => {
      if (done) return;
      done = true;
      worker.terminate();
      failed?.(reason);
    };
    return {
      send: (message, transfer) => worker.postMessage(message, transfer),
      onMessage: (handler) =>
        worker.addEventListener("message", (event) => {
          if (event.data.type === "fatal") fail(event.data.reason);
          else handler(event.data);
        }),
      onFailure: (handler) => {
        failed = handler;
        worker.addEventListener("error", (event) => fail(event.message || "the guest worker failed"));
        worker.addEventListener("messageerror", () => fail("a message from the guest worker could not be read"));
      },
      terminate: async () => {
        done = true;
        worker.terminate();
      },
    };
  };
}
