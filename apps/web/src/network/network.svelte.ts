import type { Capture, Hypervisor, PacketEvent, PortInfo, SegmentInfo } from "@hyperlab/core";

/** How often port counters are read again (they change with every frame). */
const REFRESH_MS = 500;
const LOG_LINES = 100;

/**
 * What the Network view shows: segments, ports with counters, the live packet log and the
 * capture being recorded. Follows the hypervisor's network events; counters are polled.
 */
export class NetworkModel {
  segments = $state.raw<SegmentInfo[]>([]);
  ports = $state.raw<PortInfo[]>([]);
  packets = $state.raw<PacketEvent[]>([]);
  /** A frozen log stops following new packets (so a student can read it). */
  paused = $state(false);
  capturing = $state<string | undefined>();
  capturedFrames = $state(0);
  /** Frames the switch dropped within the capture (security groups, cables, …). */
  droppedFrames = $state(0);
  /** The dropped frames of the last capture stopped, as pcapng (pcap cannot mark a frame as dropped). */
  lastDrops = $state.raw<{ blob: Blob; frames: number; target: string } | undefined>();

  private capture?: Capture;
  private pending: PacketEvent[] = [];
  private readonly stops: (() => void)[] = [];

  constructor(readonly hv: Hypervisor) {
    this.packets = hv.network.log.slice(-LOG_LINES);
    this.refresh();
    const subs = [
      hv.network.on("network:change", () => this.refresh()),
      hv.network.on("network:packet", (packet) => this.pending.push(packet)),
      hv.on("guest:created", () => this.refresh()),
      hv.on("guest:removed", () => this.refresh()),
    ];
    this.stops.push(() => subs.forEach((s) => s.dispose()));
    const timer = setInterval(() => this.tick(), REFRESH_MS);
    this.stops.push(() => clearInterval(timer));
  }

  private tick(): void {
    this.refresh();
    if (this.capture) {
      this.capturedFrames = this.capture.frames.length;
      this.droppedFrames = this.capture.drops.length;
    }
    if (this.pending.length === 0 || this.paused) return;
    this.packets = [...this.packets, ...this.pending].slice(-LOG_LINES);
    this.pending = [];
  }

  refresh(): void {
    this.segments = this.hv.network.segments;
    this.ports = this.hv.network.ports;
  }

  setSegment(guest: string, segment: string): void {
    this.hv.network.setSegment(guest, segment);
  }

  setLink(guest: string, up: boolean): void {
    this.hv.network.setLink(guest, up);
  }

  addSegment(name: string): void {
    this.hv.network.defineSegment(name);
  }

  /** Starts capturing a segment ("segment:<name>") or a guest's port ("port:<name>"). */
  startCapture(target: string): void {
    this.capture?.stop();
    const [kind, name] = [target.slice(0, target.indexOf(":")), target.slice(target.indexOf(":") + 1)];
    this.capture = this.hv.network.capture(kind === "port" ? { port: name } : { segment: name });
    this.capturing = target;
    this.capturedFrames = 0;
    this.droppedFrames = 0;
    this.lastDrops = undefined;
  }

  /**
   * Stops the capture and returns it as a pcap file (or undefined if none ran); its dropped
   * frames, if any, wait in `lastDrops` as pcapng, each with a comment saying where and why.
   */
  stopCapture(): Blob | undefined {
    const capture = this.capture;
    if (!capture) return undefined;
    capture.stop();
    this.capture = undefined;
    this.lastDrops = capture.drops.length
      ? {
          blob: new Blob([capture.droppedPcapng() as Uint8Array<ArrayBuffer>], { type: "application/octet-stream" }),
          frames: capture.drops.length,
          target: this.capturing ?? "",
        }
      : undefined;
    this.capturing = undefined;
    return new Blob([capture.pcap() as Uint8Array<ArrayBuffer>], { type: "application/vnd.tcpdump.pcap" });
  }

  clearLog(): void {
    this.packets = [];
    this.pending = [];
  }

  dispose(): void {
    this.capture?.stop();
    for (const stop of this.stops) stop();
  }
}
