import {
  flavorOf,
  isAllowed,
  isLive,
  type ConsoleKind,
  type Disposable,
  type Guest,
  type GuestAction,
  type GuestState,
} from "@hyperlab/core";
import { BootPhaseTracker, type BootPhase } from "../console/boot-phase";
import { FLAVORS } from "../launch/flavors";

/** The actions a row of the instances table offers, in order. */
export const ROW_ACTIONS = ["start", "pause", "resume", "reboot", "stop", "terminate"] as const;
export type RowAction = (typeof ROW_ACTIONS)[number];

/**
 * What the page shows of one guest, kept in step with the guest's own events, whoever drives
 * it (this UI or a script through window.hyperlab).
 */
export class GuestView {
  state = $state<GuestState>("created");
  phase = $state<BootPhase>("bios");
  startedAt = $state<number | undefined>();
  cpuPercent = $state<number | undefined>();
  mips = $state<number | undefined>();
  /** How v86 runs the guest's code: interpreted (while it boots) or translated (its JIT). */
  jit = $state<boolean | undefined>();
  crashReason = $state<string | undefined>();
  /** CPU weight and cap (% of one core; 0 = none), as the guest has them now. */
  weight = $state(256);
  cap = $state(0);
  /** An action started here and not finished yet. */
  pending = $state<RowAction | undefined>();

  readonly guest: Guest;
  /** The launch flavor the guest's size matches, if any. */
  readonly flavor: string | undefined;
  readonly imageLabel: string;
  readonly userImage: boolean;

  private readonly tracker: BootPhaseTracker;
  private readonly subscriptions: Disposable[] = [];
  /** Keystrokes typed while the guest was paused, delivered when it resumes (like a UART FIFO). */
  private readonly heldInput: Record<ConsoleKind, string> = { serial: "", virtio: "" };

  constructor(guest: Guest) {
    this.guest = guest;
    this.flavor = flavorOf(FLAVORS, guest.spec)?.name;
    this.userImage = typeof guest.spec.image !== "string";
    this.imageLabel = typeof guest.spec.image === "string" ? guest.spec.image : guest.spec.image.name;
    this.tracker = new BootPhaseTracker(guest.files.readyMarker);
    this.state = guest.state;
    this.startedAt = guest.startedAt;
    this.weight = guest.weight;
    this.cap = guest.cap;
    for (const kind of guest.consoleKinds) this.tracker.feed(guest.consoles[kind].history());
    this.phase = guest.isReady() ? "shell" : this.tracker.phase;
    this.subscriptions.push(
      guest.on("guest:state", ({ state, reason }) => this.onState(state, reason)),
      guest.on("guest:output", ({ text }) => {
        if (this.phase !== "shell") this.phase = this.tracker.feed(text);
      }),
      guest.on("guest:ready", () => (this.phase = "shell")),
      guest.on("guest:quota", ({ weight, cap }) => {
        this.weight = weight;
        this.cap = cap;
      }),
    );
  }

  get id(): string {
    return this.guest.id;
  }

  get name(): string {
    return this.guest.name;
  }

  /** Whether a worker runs the guest's machine (booting, running, paused or rebooting). */
  get live(): boolean {
    return isLive(this.state);
  }

  /** Whether the machine is coming up (a boot or a reboot), so that its boot phases show. */
  get booting(): boolean {
    return this.state === "booting" || this.state === "rebooting";
  }

  private onState(state: GuestState, reason?: string): void {
    const previous = this.state;
    this.state = state;
    if (state === "booting" && previous !== "paused") {
      this.tracker.reset();
      this.phase = "bios";
    }
    if (this.booting) this.startedAt = this.guest.startedAt;
    if (state === "rebooting") {
      this.tracker.reset();
      this.phase = "bios";
    }
    if (state === "crashed") this.crashReason = reason;
    if (!this.live) {
      this.cpuPercent = undefined;
      this.mips = undefined;
      this.jit = undefined;
    }
    if (state === "paused") this.mips = 0;
    if (previous === "paused" && isAllowed("write", state)) this.flushHeldInput();
  }

  allowed(action: GuestAction): boolean {
    return this.pending === undefined && isAllowed(action, this.state);
  }

  /** Runs an action on the guest; rejects with the core's error (a HyperlabError). */
  async act(action: RowAction): Promise<void> {
    this.pending = action;
    try {
      await this.guest[action]();
    } finally {
      this.pending = undefined;
    }
  }

  /** Keyboard input for a console: held while paused, dropped when the guest is off. */
  type(console: ConsoleKind, data: string): void {
    if (this.state === "paused") this.heldInput[console] += data;
    else if (isAllowed("write", this.state)) this.guest.write(console, data);
  }

  private flushHeldInput(): void {
    for (const kind of this.guest.consoleKinds) {
      const data = this.heldInput[kind];
      this.heldInput[kind] = "";
      if (data) this.guest.write(kind, data);
    }
  }

  setMetrics(mips: number | undefined, cpuPercent: number | undefined, jit?: boolean): void {
    this.mips = mips;
    this.cpuPercent = cpuPercent;
    if (jit !== undefined) this.jit = jit;
  }

  dispose(): void {
    for (const sub of this.subscriptions) sub.dispose();
  }
}
