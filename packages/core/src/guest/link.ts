import { HyperlabError, describeError } from "../errors.js";
import type { Host } from "../hosts/host.js";
import type { ConsoleKind } from "../spec.js";
import type { GuestChannel } from "../worker/channel.js";
import type { HostMessage, ReplyOf, RequestKind, RequestOf, WorkerMessage } from "../worker/protocol.js";

/** What a machine's worker says besides replies: the guest's business. */
export type MachineEvent = Exclude<WorkerMessage, { type: "reply" | "fatal" }>;

export interface LinkListener {
  event(message: MachineEvent): void;
  /** The current machine's worker died (not called for one that was ended on purpose). */
  failure(reason: string): void;
}

/**
 * Settings every new machine of the guest is told: its share and cable before it boots, the
 * console size once it is the guest's (a worker without a running machine has no console).
 */
type Standing = Extract<HostMessage, { type: "share" | "link" | "resize" }>;

interface Waiter {
  channel: GuestChannel;
  resolve(value: ReplyOf<RequestKind>): void;
  reject(error: Error): void;
}

/** A machine started for the guest but not yet its own: its events wait until `swap`. */
export class NextMachine {
  /** Set when it becomes the guest's machine. */
  generation = -1;
  readonly early: MachineEvent[] = [];
  constructor(readonly channel: GuestChannel) {}
}

const SHUTDOWN_GRACE_MS = 2_000;

/**
 * The host's link to one guest's worker: requests with ids and typed replies, the current
 * machine and its swap for another (a restore, a migration), and keyboard input held back while
 * a swap is under way. Events of a machine that is no longer the guest's are dropped; replies
 * still reach whoever asked.
 */
export class WorkerLink {
  private channel?: GuestChannel;
  private generation = 0;
  private nextId = 1;
  private readonly pending = new Map<number, Waiter>();
  private swapping?: { what: string; input: { console: ConsoleKind; bytes: Uint8Array }[] };
  private readonly standing = new Map<Standing["type"], Standing>();

  constructor(
    private readonly name: string,
    private readonly listener: LinkListener,
  ) {}

  /** Whether a machine runs for the guest now. */
  get connected(): boolean {
    return this.channel !== undefined;
  }

  /** Counts the guest's machines: a number that changes whenever the current one does or ends. */
  get run(): number {
    return this.generation;
  }

  /** What the guest's machine is being swapped for ("restoring", "migrating"), if it is. */
  get swap(): string | undefined {
    return this.swapping?.what;
  }

  /** Starts a worker on `host` for a machine the guest will take (see `adopt`). */
  open(host: Host): NextMachine {
    let channel: GuestChannel;
    try {
      channel = host.channel();
    } catch (error) {
      throw new HyperlabError(
        "worker-failed",
        `Could not start a worker for guest "${this.name}": ${describeError(error)}`,
      );
    }
    const next = new NextMachine(channel);
    next.channel.onMessage((message) => {
      if (message.type === "reply") this.settle(message);
      else if (message.type === "fatal") return;
      else if (next.generation < 0) next.early.push(message);
      else if (next.generation === this.generation) this.listener.event(message);
    });
    next.channel.onFailure((reason) => {
      if (next.generation < 0)
        this.rejectOn(next.channel, new HyperlabError("worker-failed", `its new machine failed: ${reason}`));
      else if (next.generation === this.generation) this.listener.failure(reason);
    });
    for (const message of this.standing.values()) if (message.type !== "resize") next.channel.send(message);
    return next;
  }

  /** Makes `next` the guest's machine; the old one's worker ends and what waited on it fails. */
  adopt(next: NextMachine): void {
    const old = this.channel;
    next.generation = ++this.generation;
    this.channel = next.channel;
    if (old && old !== next.channel) {
      this.rejectOn(old, new HyperlabError("invalid-state", `Guest "${this.name}" moved to another machine.`));
      void old.terminate();
    }
    for (const message of next.early.splice(0)) this.listener.event(message);
    const size = this.standing.get("resize");
    if (size) next.channel.send(size);
  }

  /** The machine's run ended: its events are dropped from now on and whatever waited fails. */
  end(error: HyperlabError): void {
    this.generation++;
    this.channel = undefined;
    const waiters = [...this.pending.values()];
    this.pending.clear();
    for (const waiter of waiters) waiter.reject(error);
  }

  /** Asks the guest's machine, or `on` a machine not yet adopted; the reply has the kind's type. */
  request<K extends RequestKind>(
    request: RequestOf<K>,
    options: { on?: NextMachine; transfer?: ArrayBuffer[] } = {},
  ): Promise<ReplyOf<K>> {
    const channel = options.on?.channel ?? this.channel;
    if (!channel)
      return Promise.reject(new HyperlabError("invalid-state", `Guest "${this.name}" has no running machine.`));
    const id = this.nextId++;
    return new Promise<ReplyOf<K>>((resolve, reject) => {
      // The worker answers each kind with its own reply type (worker/runtime.ts `handlers`).
      this.pending.set(id, { channel, resolve: resolve as (value: ReplyOf<RequestKind>) => void, reject });
      channel.send({ ...request, id } as HostMessage, options.transfer);
    });
  }

  /** Drops a standing setting (the console size, once the shell that had it is gone). */
  forget(type: Standing["type"]): void {
    this.standing.delete(type);
  }

  /** A standing setting (share, cable, console size): sent now, and to every later machine. */
  tell(message: Standing): void {
    this.standing.set(message.type, message);
    this.channel?.send(message);
  }

  /** Hands a frame to the guest's NIC (its buffer is transferred); false when no machine runs. */
  sendFrame(bytes: Uint8Array): boolean {
    if (!this.channel) return false;
    this.channel.send({ type: "frame", bytes }, [bytes.buffer as ArrayBuffer]);
    return true;
  }

  /** Keyboard input; held while a swap is under way, delivered to whichever machine comes out of it. */
  write(console: ConsoleKind, bytes: Uint8Array): void {
    if (this.swapping) this.swapping.input.push({ console, bytes });
    else this.channel?.send({ type: "input", console, bytes });
  }

  beginSwap(what: string): void {
    this.swapping = { what, input: [] };
  }

  endSwap(): void {
    const held = this.swapping?.input ?? [];
    this.swapping = undefined;
    for (const { console, bytes } of held) this.write(console, bytes);
  }

  /** Ends a machine that was never adopted. */
  async discard(next: NextMachine): Promise<void> {
    this.rejectOn(next.channel, new HyperlabError("invalid-state", `Guest "${this.name}" dropped a machine.`));
    await next.channel.terminate();
  }

  /** Asks the machine to shut down (briefly), then ends its worker. */
  async shutdown(error: HyperlabError): Promise<void> {
    const channel = this.channel;
    if (!channel) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, SHUTDOWN_GRACE_MS)));
    await Promise.race([this.request({ type: "shutdown" }).catch(() => undefined), grace]);
    clearTimeout(timer);
    this.end(error);
    await channel.terminate();
  }

  private settle(message: Extract<WorkerMessage, { type: "reply" }>): void {
    const waiter = this.pending.get(message.id);
    if (!waiter) return;
    this.pending.delete(message.id);
    if (message.ok) waiter.resolve(message.value);
    else waiter.reject(HyperlabError.from(message.error));
  }

  private rejectOn(channel: GuestChannel, error: Error): void {
    for (const [id, waiter] of this.pending)
      if (waiter.channel === channel) {
        this.pending.delete(id);
        waiter.reject(error);
      }
  }
}
