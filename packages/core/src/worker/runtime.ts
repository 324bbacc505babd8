/**
 * The guest side of a worker: owns one Machine and answers the host's requests.
 * Platform entries (node-entry.ts, browser-entry.ts) connect it to their message port.
 */
import { HyperlabError, describeError, type SerializedError } from "../errors.js";
import { Machine } from "../machine/machine.js";
import type { HostMessage, HostRequest, WorkerMessage } from "../protocol.js";

export interface WorkerEndpoint {
  post(message: WorkerMessage, transfer?: ArrayBuffer[]): void;
  listen(handler: (message: HostMessage) => void): void;
}

export function serveGuest(endpoint: WorkerEndpoint, defaults: { wasmUrl?: string } = {}): void {
  let machine: Machine | undefined;

  const handle = async (request: HostRequest): Promise<unknown> => {
    switch (request.type) {
      case "boot": {
        if (machine) throw new HyperlabError("invalid-state", "This worker already runs a machine.");
        const config = { ...request.config, wasmUrl: request.config.wasmUrl ?? defaults.wasmUrl };
        machine = new Machine(config, {
          output: (console, bytes) => endpoint.post({ type: "output", console, bytes }, [bytes.buffer as ArrayBuffer]),
        });
        await machine.boot();
        return undefined;
      }
      case "pause":
        return need(machine).pause();
      case "resume":
        return need(machine).resume();
      case "reset":
        return need(machine).reset();
      case "counters":
        return need(machine).counters();
      case "shutdown":
        await machine?.destroy();
        machine = undefined;
        return undefined;
    }
  };

  endpoint.listen((message) => {
    if (message.type === "input") {
      machine?.write(message.console, message.bytes);
      return;
    }
    const { id } = message;
    handle(message).then(
      (value) => endpoint.post({ type: "reply", id, ok: true, value }),
      (error: unknown) => endpoint.post({ type: "reply", id, ok: false, error: serialize(error) }),
    );
  });
}

function need(machine: Machine | undefined): Machine {
  if (!machine) throw new HyperlabError("invalid-state", "The machine has not booted.");
  return machine;
}

function serialize(error: unknown): SerializedError {
  if (error instanceof HyperlabError) return error.toJSON();
  return { code: "worker-failed", message: `The emulator failed: ${describeError(error)}` };
}
