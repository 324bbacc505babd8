/**
 * A capture of the frames one port, one segment or the whole switch sees, kept in memory until
 * exported: as a classic pcap file (what crossed the switch), and the frames the switch dropped
 * as a pcapng file whose packet comments say where and why (classic pcap has no room for that).
 */
import { encodePcap, type CapturedFrame } from "./pcap.js";
import { encodePcapng } from "./pcapng.js";
import type { DropReason, SwitchEvent, VirtualSwitch } from "./switch.js";

export type CaptureTarget = { port: string } | { segment: string } | { all: true };

export interface CaptureOptions {
  /** Stop keeping frames beyond this many bytes (the rest are counted as `missed`). */
  maxBytes?: number;
}

/** A frame the switch dropped: where (the port it came from or was meant for), which way, and why. */
export interface DroppedFrame extends CapturedFrame {
  port: string;
  direction: "in" | "out";
  reason: DropReason;
}

/** The comment a dropped frame carries in the pcapng file: "dropped on the way to web: securityGroup". */
export function dropNote(frame: Pick<DroppedFrame, "port" | "direction" | "reason">): string {
  return `dropped ${frame.direction === "in" ? "coming from" : "on the way to"} ${frame.port}: ${frame.reason}`;
}

export class Capture {
  readonly frames: CapturedFrame[] = [];
  readonly drops: DroppedFrame[] = [];
  bytes = 0;
  /** Frames seen after the capture was full. */
  missed = 0;
  private subscription?: { dispose(): void };
  private readonly maxBytes: number;

  constructor(
    readonly target: CaptureTarget,
    sw: VirtualSwitch,
    options: CaptureOptions = {},
  ) {
    this.maxBytes = options.maxBytes ?? 16 * 1024 * 1024;
    this.subscription = sw.on((event) => {
      if (event.kind === "drop") {
        if (this.covers(event)) this.keepDrop(event);
      } else if (this.wants(event)) this.keep(event.frame, event.at);
    });
  }

  /** Whether the capture covers the port of an event (for drops: either way). */
  private covers(event: SwitchEvent): boolean {
    if ("all" in this.target) return true;
    if ("segment" in this.target) return event.port.segment === this.target.segment;
    return event.port.name === this.target.port;
  }

  /**
   * A segment (or whole-switch) capture records each frame once, as it enters the switch
   * (Wireshark on a hub); a port capture records what the port sends and what it is given
   * (Wireshark on that NIC).
   */
  private wants(event: SwitchEvent): boolean {
    if ("port" in this.target) return event.kind !== "drop" && this.covers(event);
    return event.kind === "in" && this.covers(event);
  }

  private room(frame: Uint8Array): boolean {
    if (this.bytes + frame.length <= this.maxBytes) return true;
    this.missed++;
    return false;
  }

  private keep(frame: Uint8Array, at: number): void {
    if (!this.room(frame)) return;
    this.frames.push({ at, bytes: frame });
    this.bytes += frame.length;
  }

  private keepDrop(event: Extract<SwitchEvent, { kind: "drop" }>): void {
    if (!this.room(event.frame)) return;
    const { port, direction, reason, frame, at } = event;
    this.drops.push({ at, bytes: frame, port: port.name, direction, reason });
    this.bytes += frame.length;
  }

  get active(): boolean {
    return this.subscription !== undefined;
  }

  stop(): void {
    this.subscription?.dispose();
    this.subscription = undefined;
  }

  /** The capture so far as a libpcap file (linktype 1, Ethernet). */
  pcap(): Uint8Array {
    return encodePcap(this.frames);
  }

  /** The frames the switch dropped, as a pcapng file: each packet's comment says where and why. */
  droppedPcapng(): Uint8Array {
    return encodePcapng(this.drops.map((drop) => ({ at: drop.at, bytes: drop.bytes, note: dropNote(drop) })));
  }
}
