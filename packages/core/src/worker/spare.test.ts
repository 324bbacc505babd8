import { afterEach, describe, expect, it, vi } from "vitest";
import type { WorkerMessage } from "./protocol.js";
import type { GuestChannel } from "./channel.js";
import { keepSpare } from "./spare.js";

/** A fake worker channel: records what is sent, lets the test speak and fail for the worker. */
function fakeFactory() {
  const made: {
    sent: unknown[];
    say(message: WorkerMessage): void;
    fail(reason: string): void;
    terminated: boolean;
  }[] = [];
  const factory = (): GuestChannel => {
    const messageHandlers: ((m: WorkerMessage) => void)[] = [];
    let failure: ((reason: string) => void) | undefined;
    const worker = {
      sent: [] as unknown[],
      terminated: false,
      say: (m: WorkerMessage) => messageHandlers.forEach((h) => h(m)),
      fail: (reason: string) => failure?.(reason),
    };
    made.push(worker);
    return {
      send: (m) => worker.sent.push(m),
      onMessage: (h) => messageHandlers.push(h),
      onFailure: (h) => (failure = h),
      terminate: async () => {
        worker.terminated = true;
      },
    };
  };
  return { factory, made };
}

afterEach(() => vi.useRealTimers());

describe("keepSpare", () => {
  it("hands out the worker it started ahead and starts the next one a while later", () => {
    vi.useFakeTimers();
    const { factory, made } = fakeFactory();
    const spare = keepSpare(factory, 1000);
    expect(made).toHaveLength(0);
    spare.warm();
    spare.warm();
    expect(made).toHaveLength(1);
    const first = spare();
    first.send({ type: "shutdown", id: 1 });
    expect(made[0].sent).toEqual([{ type: "shutdown", id: 1 }]);
    // No spare now: the next launch at once gets a new worker; one refill follows later.
    spare();
    expect(made).toHaveLength(2);
    vi.advanceTimersByTime(999);
    expect(made).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(made).toHaveLength(3);
    spare();
    expect(made).toHaveLength(3);
  });

  it("keeps what the spare said before anyone listened, and a failure for its taker", () => {
    const { factory, made } = fakeFactory();
    const spare = keepSpare(factory, 60_000);
    spare.warm();
    made[0].say({ type: "output", console: "serial", bytes: new Uint8Array([65]) });
    const channel = spare();
    const heard: WorkerMessage[] = [];
    channel.onMessage((m) => heard.push(m));
    expect(heard.map((m) => m.type)).toEqual(["output"]);
    const failures: string[] = [];
    channel.onFailure((reason) => failures.push(reason));
    made[0].fail("the guest worker failed");
    expect(failures).toEqual(["the guest worker failed"]);
    void spare.dispose();
  });

  it("does not hand out a spare that died while it waited, and ends the spare on dispose", async () => {
    const { factory, made } = fakeFactory();
    const spare = keepSpare(factory, 60_000);
    spare.warm();
    made[0].fail("script failed to load");
    const channel = spare();
    expect(made).toHaveLength(2);
    expect(made[0].terminated).toBe(true);
    channel.send({ type: "counters", id: 7 });
    expect(made[1].sent).toEqual([{ type: "counters", id: 7 }]);
    spare.warm();
    await spare.dispose();
    expect(made[2].terminated).toBe(true);
    spare.warm();
    expect(made).toHaveLength(3);
  });
});
