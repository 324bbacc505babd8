/**
 * Live migration of a guest to another host (stop-and-copy, as libvirt's `virsh migrate --live`
 * without pre-copy): a machine is made ready on the target first; then the guest is paused, its
 * state copied, and the target resumes it. The console logs, the network port and the metrics
 * belong to the Guest and carry on. Any failure leaves the guest running on its host as before.
 */
import { HyperlabError, describeError } from "../errors.js";
import type { GuestParts } from "../guest/parts.js";
import type { NextMachine } from "../guest/link.js";
import { assertAllowed } from "../guest/state.js";
import { assertSettled } from "../snapshot/guest-snapshot.js";
import type { Host, MigrationReport } from "./host.js";

export async function migrateGuest(parts: GuestParts, findTarget: () => Host): Promise<MigrationReport> {
  assertSettled(parts, "migrate");
  const target = findTarget();
  const { guest, link, memory } = parts;
  const source = guest.placement;
  if (target === source)
    throw new HyperlabError("invalid-state", `Guest "${guest.name}" already runs on ${source.name}.`);
  memory.beginMove(target);
  const started = performance.now();
  const wasPaused = guest.state === "paused";
  let next: NextMachine | undefined;
  let pausedHere = false;
  let downtimeFrom: number;
  let bytes: number;
  try {
    next = link.open(target);
    await link.request({ type: "boot", config: await parts.machineConfig({ paused: true }) }, { on: next });
    // Probes that were on stay on: the new machine counts from where the old one stopped.
    if (parts.probes.enabled) await link.request({ type: "probes", enable: true }, { on: next });
    link.beginSwap("migrating");
    downtimeFrom = performance.now();
    if (!wasPaused) {
      await link.request({ type: "pause" });
      pausedHere = true;
    }
    const state = await link.request({ type: "save" });
    bytes = state.byteLength;
    await link.request({ type: "restore", state }, { on: next, transfer: [state] });
    if (!wasPaused) await link.request({ type: "resume" }, { on: next });
    // The source may have died meanwhile: a crashed guest is not brought back on the target.
    assertAllowed("migrate", guest.state, guest.name);
  } catch (error) {
    memory.cancelMove();
    if (next) void link.discard(next);
    if (pausedHere) await link.request({ type: "resume" }).catch(() => undefined);
    link.endSwap();
    throw new HyperlabError(
      "migration-failed",
      `Guest "${guest.name}" could not move from ${source.name} to ${target.name} (${describeError(error)}); it stays on ${source.name} as it was.`,
      {
        guest: guest.name,
        from: source.id,
        to: target.id,
        fromName: source.name,
        toName: target.name,
        cause: describeError(error),
      },
    );
  }
  const downtimeMs = performance.now() - downtimeFrom;
  link.adopt(next);
  memory.commitMove();
  link.endSwap();
  parts.watchReady();
  return { from: source.name, to: target.name, downtimeMs, totalMs: performance.now() - started, bytes };
}
