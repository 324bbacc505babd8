/**
 * The virtio balloon, seen from the host: the guest's driver gives pages back (inflate) or
 * takes them again (deflate), and the host budget follows what the driver actually did.
 */
import { HyperlabError } from "../errors.js";
import type { GuestParts } from "../guest/parts.js";
import { assertAllowed } from "../guest/state.js";
import type { BalloonReport } from "../worker/protocol.js";

/** What a balloon leaves a guest at the least. */
export const MIN_GUEST_MIB = 16;
const POLL_MS = 100;

/**
 * Inflates (or deflates) the guest's balloon so that it gives `mib` MiB back, and waits until
 * its driver has. Reclaimed memory is free in the host budget; taking it back (deflating) needs
 * that much free budget again, reserved before the guest is told.
 */
export async function setBalloon(parts: GuestParts, mib: number, timeoutMs = 15_000): Promise<BalloonReport> {
  const { guest, memory, link } = parts;
  if (!guest.spec.balloon)
    throw new HyperlabError("invalid-spec", `Guest "${guest.name}" has no balloon device; launch it with balloon on.`);
  assertAllowed("balloon", guest.state, guest.name);
  const full = guest.spec.memoryMiB;
  const most = full - MIN_GUEST_MIB;
  if (!Number.isInteger(mib) || mib < 0 || mib > most)
    throw new HyperlabError(
      "invalid-spec",
      `The balloon of guest "${guest.name}" can take 0 to ${most} MiB, not ${String(mib)}.`,
      { field: "balloon" },
    );
  // Deflating gives memory back to the guest: reserve it first (may be refused).
  if (full - mib > memory.mib) memory.hold(full - mib);
  let report = await link.request({ type: "balloon", mib });
  const deadline = Date.now() + timeoutMs;
  while (report.actualMiB !== report.targetMiB && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    report = await link.request({ type: "balloon", mib });
  }
  // What the driver gave back is free for other guests now.
  if (full - report.actualMiB < memory.mib) memory.hold(full - report.actualMiB);
  return report;
}
