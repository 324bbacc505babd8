/**
 * A stand-in for a guest's worker, for unit tests of the host side (Guest, Hypervisor,
 * migration, restore) that need no emulator: it answers the worker protocol, prints the image's
 * ready marker after a cold boot, and plays a shell that answers `exec`'s marked commands.
 * It is not a machine: tests that claim to test a guest boot real ones (packages/core/test/).
 */
import { HyperlabError } from "../errors.js";
import type { ChannelFactory, GuestChannel } from "../worker/channel.js";
import type { HostMessage, MachineConfig, ReplyOf, RequestKind, WorkerMessage } from "../worker/protocol.js";

export interface FakeBehaviour {
  /** Refuse the boot request with this sentence. */
  failBoot?: string;
  /** Refuse a `restore` (a migration's state copy) with this sentence. */
  failRestore?: string;
  /** Hold replies to these request kinds until `release()`. */
  hold?: RequestKind[];
}

const MARKER = "hyperlab: ready";
const EXEC = /echo '@@HL''-B-(\d+)@@'; (.*?)(?:; | )echo "@@HL""-E-\1-\$\?@@"\n/;

export class FakeWorker {
  config?: MachineConfig;
  running = false;
  ended = false;
  /** Text typed into each console. */
  readonly typed: string[] = [];
  /** Commands its shell ran. */
  readonly commands: string[] = [];
  private handlers: ((message: WorkerMessage) => void)[] = [];
  private failure?: (reason: string) => void;
  private held: (() => void)[] = [];
  readonly channel: GuestChannel;

  constructor(
    readonly name: string,
    private readonly behaviour: FakeBehaviour,
  ) {
    this.channel = {
      send: (message) => queueMicrotask(() => this.receive(message)),
      onMessage: (handler) => this.handlers.push(handler),
      onFailure: (handler) => (this.failure = handler),
      terminate: async () => {
        this.ended = true;
      },
    };
  }

  /** Says something to the host as the machine would. */
  say(message: WorkerMessage): void {
    if (!this.ended) for (const handler of this.handlers) handler(message);
  }

  print(text: string, console: "serial" | "virtio" = "serial"): void {
    this.say({ type: "output", console, bytes: new TextEncoder().encode(text) });
  }

  /** The worker dies as v86 would take it down. */
  crash(reason: string): void {
    this.ended = true;
    this.failure?.(reason);
  }

  /** Lets held replies go. */
  release(): void {
    for (const reply of this.held.splice(0)) reply();
  }

  private receive(message: HostMessage): void {
    if (this.ended) return;
    if (message.type === "input") return this.type(new TextDecoder().decode(message.bytes));
    if (!("id" in message)) return;
    const { id } = message;
    const answer = () => {
      try {
        const value = this.answer(message);
        this.say({ type: "reply", id, ok: true, value });
      } catch (error) {
        this.say({ type: "reply", id, ok: false, error: (error as HyperlabError).toJSON() });
      }
    };
    if (this.behaviour.hold?.includes(message.type)) this.held.push(answer);
    else answer();
  }

  private answer(request: Extract<HostMessage, { id: number }>): ReplyOf<RequestKind> {
    const refuse = (why: string) => {
      throw new HyperlabError("worker-failed", why);
    };
    switch (request.type) {
      case "boot":
        if (this.behaviour.failBoot) refuse(this.behaviour.failBoot);
        this.config = request.config;
        this.running = !request.config.paused;
        // A cold boot prints the image's marker; a saved machine's shell is ready already.
        if (!request.config.initialState) queueMicrotask(() => this.print(`booting\r\n${MARKER}\r\n# `));
        return undefined;
      case "reset":
        queueMicrotask(() => this.print(`booting again\r\n${MARKER}\r\n# `));
        return undefined;
      case "pause":
        this.running = false;
        return undefined;
      case "resume":
        this.running = true;
        return undefined;
      case "save":
        return new TextEncoder().encode(`the state of ${this.name}`).buffer;
      case "restore":
        if (this.behaviour.failRestore) refuse(this.behaviour.failRestore);
        return undefined;
      case "counters":
        return { instructions: 0, at: 0, running: this.running, jit: true };
      case "balloon":
        return { targetMiB: request.mib, actualMiB: request.mib };
      case "probes":
        return { at: 0, intervalMs: 0, devices: [], irqLines: [], exits: 0 };
      case "shutdown":
        this.running = false;
        return undefined;
    }
  }

  /** A shell: runs `exec`'s marked lines (echo prints, false fails, anything else succeeds). */
  private type(text: string): void {
    this.typed.push(text);
    const line = EXEC.exec(text);
    if (!line || !this.running) return;
    const [, n, body] = line;
    this.commands.push(body);
    const echo = /^echo (.*)$/.exec(body);
    const status = body === "false" ? 1 : 0;
    this.print(`@@HL-B-${n}@@\r\n${echo ? `${echo[1]}\r\n` : ""}@@HL-E-${n}-${status}@@\r\n# `);
  }
}

/** Makes fake workers; `behave` sets how the next ones behave (in order), the rest as `usual`. */
export class FakeWorkers {
  readonly made: FakeWorker[] = [];
  private readonly next: FakeBehaviour[] = [];

  constructor(private readonly usual: FakeBehaviour = {}) {}

  behave(...behaviours: FakeBehaviour[]): void {
    this.next.push(...behaviours);
  }

  readonly factory: ChannelFactory = () => {
    const worker = new FakeWorker(`worker-${this.made.length + 1}`, this.next.shift() ?? this.usual);
    this.made.push(worker);
    return worker.channel;
  };

  get last(): FakeWorker {
    const worker = this.made.at(-1);
    if (!worker) throw new Error("no worker was made");
    return worker;
  }
}
