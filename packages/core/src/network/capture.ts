/** A capture of the frames one port or one segment sees, kept in memory until exported as pcap. */
import { encodePcap, type CapturedFrame } from "./pcap.js";
import type { SwitchEvent, VirtualSwitch } from "./switch.js";

export type CaptureTarget = { port: string } | { segment: string };

export interface CaptureOptions {
  /** Stop keeping frames beyond this many bytes (the rest are counted as `missed`). */
  maxBytes?: number;
}

export class Capture {
  readonly frames: CapturedFrame[] = [];
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
      if (this.wants(event)) this.keep(event.frame, event.at);
    });
  }

  /**
   * A segment capture records each frame once, as it enters the switch (Wireshark on a hub);
   * a port capture records what the port sends and what it is given (Wireshark on that NIC).
   */
  private wants(event: SwitchEvent): boolean {
    if ("segment" in this.target) return event.kind === "in" && event.port.segment === this.target.segment;
    return (event.kind === "in" || event.kind === "out") && event.port.name === this.target.port;
  }

  private keep(frame: Uint8Array, at: number): void {
    if (this.bytes + frame.length > this.maxBytes) {
      this.missed++;
      return;
    }
    this.frames.push({ at, bytes: frame });
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
}
