/**
 * The guest side of a worker: owns one Machine and answers the host's requests.
 * Platform entries (node-entry.ts, browser-entry.ts) connect it to their message port.
 */
import { HyperlabError, describeError, type SerializedError } from "../errors.js";
import { Machine } from "../machine/machine.js";
import type { ConsoleKind } from "../spec.js";
import type {
  HostMessage,
  HostRequest,
  MachineConfig,
  ReplyOf,
  RequestKind,
  RequestOf,
  WorkerMessage,
} from "./protocol.js";

export interface WorkerEndpoint {
  post(message: WorkerMessage, transfer?: ArrayBuffer[]): void;
  listen(handler: (message: HostMessage) => void): void;
}

/**
 * The last lines the emulator wrote to console.error. v86 reports a Rust panic there
 * (e.g. "Unimplemented: #GP handler") just before it throws a bare "unreachable".
 */
const recentErrors: string[] = [];
const consoleError = console.error.bind(console);
console.error = (...args: unknown[]) => {
  recentErrors.push(args.map(String).join(" "));
  if (recentErrors.length > 8) recentErrors.shift();
  consoleError(...args);
};

/** Why a worker is about to die, in the emulator's own words. */
export function crashReason(error: unknown): string {
  const panic = recentErrors
    .flatMap((text) => text.split("\n"))
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith("panicked at") && !line.startsWith("note:"))
    .at(-1);
  const reason = describeError(error);
  return panic && panic !== reason ? `${panic} (${reason})` : reason;
}

export function serveGuest(endpoint: WorkerEndpoint, defaults: { wasmUrl?: string } = {}): void {
  let machine: Machine | undefined;
  let config: MachineConfig | undefined;
  let share = { share: 1, phase: 0 };
  /** The cable stays as the host last set it across a reset or a restore. */
  let linkUp = true;
  const heldInput: { console: ConsoleKind; bytes: Uint8Array }[] = [];
  /** Device probes stay on across a reset. */
  let probesOn = false;
  /** A request kind on which this worker dies (fault injection). */
  let faultOn: RequestKind | undefined;

  const bootMachine = async (config: MachineConfig): Promise<Machine> => {
    const next = new Machine(config, {
      output: (console, bytes) => endpoint.post({ type: "output", console, bytes }, [bytes.buffer as ArrayBuffer]),
      sample: (sample) => endpoint.post({ type: "sample", sample }),
      frame: (bytes) => endpoint.post({ type: "frame", bytes }, [bytes.buffer as ArrayBuffer]),
      probes: (sample) => endpoint.post({ type: "probes", sample }),
    });
    next.setShare(share.share, share.phase);
    await next.boot();
    // A restored driver may remember another link state than the new device has.
    next.setLink(linkUp, { force: Boolean(config.initialState) });
    // Keys typed while the machine was being built (a boot, a reset, a restore) are not lost.
    for (const input of heldInput.splice(0)) next.write(input.console, input.bytes);
    if (probesOn) next.probes(true);
    return next;
  };

  /** One handler per request kind, each returning that kind's reply type (see protocol.ts). */
  const handlers: { [K in RequestKind]: (request: RequestOf<K>) => ReplyOf<K> | Promise<ReplyOf<K>> } = {
    boot: async (request) => {
      if (machine) throw new HyperlabError("invalid-state", "This worker already runs a machine.");
      config = { ...request.config, wasmUrl: request.config.wasmUrl ?? defaults.wasmUrl };
      machine = await bootMachine(config);
    },
    reset: async (request) => {
      // A cold reset: v86's own restart() faults on bzImage guests ("memory access out of
      // bounds" as it reloads the BIOS), so the worker builds the machine anew instead.
      if (!machine || !config) throw new HyperlabError("invalid-state", "The machine has not booted.");
      const old = machine;
      machine = undefined;
      await old.destroy();
      // A reset is a cold boot, also for a machine that started from a snapshot (which came
      // without the kernel: the host sends the boot files with the reset).
      config = { ...config, files: request.files ?? config.files, initialState: undefined, paused: false };
      machine = await bootMachine(config);
    },
    pause: () => need(machine).pause(),
    resume: () => need(machine).resume(),
    counters: () => need(machine).counters(),
    balloon: (request) => need(machine).balloon(request.mib),
    probes: (request) => {
      const sample = need(machine).probes(request.enable);
      if (request.enable !== undefined) probesOn = request.enable;
      return sample;
    },
    save: () => need(machine).saveState(),
    restore: async (request) => {
      const restored = need(machine);
      await restored.restoreState(request.state);
      restored.setLink(linkUp, { force: true });
    },
    shutdown: async () => {
      // Forget the machine first: input that arrives while it is torn down finds none.
      const old = machine;
      machine = undefined;
      heldInput.length = 0;
      await old?.destroy();
    },
  };
  const handle = (request: HostRequest): Promise<ReplyOf<RequestKind>> => {
    // The table above pairs each kind with its handler; TypeScript cannot follow the pairing
    // through a union, so the lookup is widened here, once.
    const handler = handlers[request.type] as (request: HostRequest) => ReplyOf<RequestKind>;
    return Promise.resolve().then(() => handler(request));
  };

  endpoint.listen((message) => {
    if (message.type === "input") {
      if (machine) machine.write(message.console, message.bytes);
      else heldInput.push({ console: message.console, bytes: message.bytes });
      return;
    }
    if (message.type === "frame") {
      machine?.receiveFrame(message.bytes);
      return;
    }
    if (message.type === "resize") {
      machine?.resize(message.cols, message.rows);
      return;
    }
    if (message.type === "link") {
      linkUp = message.up;
      machine?.setLink(linkUp);
      return;
    }
    if (message.type === "share") {
      share = { share: message.share, phase: message.phase };
      machine?.setShare(share.share, share.phase);
      return;
    }
    if (message.type === "fault") {
      faultOn = message.on;
      return;
    }
    if (message.type === faultOn) {
      // Thrown outside any promise, as v86's own faults are: the platform entry reports it and ends.
      setTimeout(() => {
        throw new Error(`fault injected on "${message.type}"`);
      });
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
