/**
 * `hyperlab up --capture FILE`: what crossed the lab's switch, written when the lab ends (its
 * commands done, Ctrl-C, or a failure). FILE is a classic pcap, as the app downloads; frames the
 * switch dropped (security groups, unplugged cables, …) go to a pcapng file beside it, each with
 * a comment saying where and why, since classic pcap has no room for that.
 */
import { writeFile } from "node:fs/promises";
import { Capture, encodePcap, type CaptureTarget, type Hypervisor } from "@hyperlab/core";

/** A lab's capture may be larger than the app's (16 MiB): it is written to disk, not held by a page. */
const MAX_BYTES = 64 * 1024 * 1024;

/** Where the dropped frames of a capture to `file` go: lab.pcap → lab.dropped.pcapng. */
export function droppedPath(file: string): string {
  return `${file.replace(/\.pcap$/i, "")}.dropped.pcapng`;
}

export class CaptureFile {
  private constructor(
    readonly file: string,
    private readonly capture: Capture,
  ) {}

  /**
   * Starts capturing a segment (or the whole switch) of `hv`. The file is written empty at once,
   * so that a path that cannot be written fails before any guest boots.
   */
  static async start(hv: Hypervisor, file: string, segment?: string): Promise<CaptureFile> {
    await writeFile(file, encodePcap([]));
    // The segment may not exist yet: the lab defines it. The capture follows its name.
    const target: CaptureTarget = segment === undefined ? { all: true } : { segment };
    return new CaptureFile(file, new Capture(target, hv.network.switch, { maxBytes: MAX_BYTES }));
  }

  /** Stops the capture, writes the file(s) and says what is in them, in one line. */
  async finish(): Promise<string> {
    const { capture, file } = this;
    capture.stop();
    await writeFile(file, capture.pcap());
    let line = `hyperlab: capture: ${capture.frames.length} frames in ${file}`;
    if (capture.drops.length) {
      const dropped = droppedPath(file);
      await writeFile(dropped, capture.droppedPcapng());
      const reasons = new Map<string, number>();
      for (const drop of capture.drops) reasons.set(drop.reason, (reasons.get(drop.reason) ?? 0) + 1);
      const counts = [...reasons].map(([reason, n]) => `${reason} ${n}`).join(", ");
      line += `; ${capture.drops.length} dropped frames (${counts}) in ${dropped}`;
    }
    if (capture.missed) line += `; ${capture.missed} frames did not fit in ${MAX_BYTES / 1024 / 1024} MiB`;
    return line;
  }
}
