import type { WorkerMessage } from "./protocol.js";
import type { ChannelFactory, GuestChannel } from "./channel.js";

/**
 * A channel factory that keeps one worker started ahead of need. A browser module worker takes
 * ~150 ms to fetch and compile its script the first time in a page and ~35 ms after that
 * (Chromium, the lab app); a spare started while nobody waits takes that off a launch.
 */
export interface SpareChannelFactory extends ChannelFactory {
  /** Starts the spare now if there is none (e.g. at page load). */
  warm(): void;
  /** Ends the spare, if any; the factory then makes workers on demand only. */
  dispose(): Promise<void>;
}

/** After a worker was taken, the next spare starts this much later (off the launch's path). */
export const SPARE_REFILL_DELAY_MS = 1000;

interface Held {
  channel: GuestChannel;
  readonly failed: boolean;
}

/**
 * Wraps a fresh worker so that nothing it says before its user listens is lost: messages are
 * kept and a failure is remembered, and both are handed over when the user attaches.
 */
function hold(factory: ChannelFactory): Held {
  const inner = factory();
  const early: WorkerMessage[] = [];
  const messageHandlers: ((message: WorkerMessage) => void)[] = [];
  let failureHandler: ((reason: string) => void) | undefined;
  let failure: string | undefined;
  inner.onMessage((message) => {
    if (messageHandlers.length === 0) early.push(message);
    for (const handler of messageHandlers) handler(message);
  });
  inner.onFailure((reason) => {
    failure = reason;
    failureHandler?.(reason);
  });
  return {
    get failed() {
      return failure !== undefined;
    },
    channel: {
      send: (message, transfer) => inner.send(message, transfer),
      onMessage: (handler) => {
        messageHandlers.push(handler);
        for (const message of early.splice(0)) handler(message);
      },
      onFailure: (handler) => {
        failureHandler = handler;
        if (failure !== undefined) handler(failure);
      },
      terminate: () => inner.terminate(),
    },
  };
}

export function keepSpare(factory: ChannelFactory, refillDelayMs = SPARE_REFILL_DELAY_MS): SpareChannelFactory {
  let spare: Held | undefined;
  let refill: ReturnType<typeof setTimeout> | undefined;
  let disposed = false;

  const warm = () => {
    if (disposed || spare) return;
    spare = hold(factory);
  };

  const take = (): GuestChannel => {
    const held = spare;
    spare = undefined;
    if (!disposed) {
      clearTimeout(refill);
      refill = setTimeout(warm, refillDelayMs);
    }
    if (held && !held.failed) return held.channel;
    if (held) void held.channel.terminate();
    return factory();
  };

  return Object.assign(take, {
    warm,
    dispose: async () => {
      disposed = true;
      clearTimeout(refill);
      const held = spare;
      spare = undefined;
      await held?.channel.terminate();
    },
  });
}
