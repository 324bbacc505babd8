/**
 * A guest's snapshot and restore: the machine saved with what the format needs to know of the
 * guest (snapshot/FORMAT.md), put back in place of the guest's machine, and a machine from
 * another guest's snapshot handed this guest's own identity (name and MAC).
 */
import { HyperlabError } from "../errors.js";
import type { GuestFacts, GuestParts } from "../guest/parts.js";
import { assertAllowed, isAllowed } from "../guest/state.js";
import type { ResolvedSpec } from "../spec.js";
import {
  assertCompatible,
  encodeSnapshot,
  imageSha256,
  readSnapshot,
  snapshotState,
  type Snapshot,
  type SnapshotHeader,
} from "./format.js";

export function imageIdOf(spec: ResolvedSpec): string {
  return typeof spec.image === "string" ? spec.image : spec.image.name;
}

function snapshotSpec(spec: ResolvedSpec): SnapshotHeader["spec"] {
  const { name, memoryMiB, console, net, balloon, weight, cap, cmdline, mac } = spec;
  return { name, image: imageIdOf(spec), memoryMiB, console, net, balloon, weight, cap, cmdline, mac };
}

/** Throws `invalid-state` unless the guest's machine may be saved, replaced or moved now. */
export function assertSettled(parts: GuestParts, action: "snapshot" | "restore" | "migrate"): void {
  const { guest, link } = parts;
  if (link.swap)
    throw new HyperlabError("invalid-state", `Cannot ${action} guest "${guest.name}" while it is ${link.swap}.`, {
      guest: guest.name,
      action,
      state: link.swap,
    });
  assertAllowed(action, guest.state, guest.name);
}

/** Saves the guest's whole machine; a running guest keeps running (v86 saves between slices). */
export async function takeSnapshot(parts: GuestParts): Promise<Snapshot> {
  assertSettled(parts, "snapshot");
  const { guest } = parts;
  const state = await parts.link.request({ type: "save" });
  return encodeSnapshot(new Uint8Array(state), {
    spec: snapshotSpec(guest.spec),
    image: { id: imageIdOf(guest.spec), sha256: await imageSha256(guest.files) },
    guest: { readyConsoles: parts.shell.ready, paused: guest.state === "paused" },
  });
}

/** Reads and checks a snapshot for this guest and unpacks its state, or throws with a sentence. */
export async function checkSnapshot(
  guest: Pick<GuestFacts, "name" | "spec" | "files">,
  snapshot: Snapshot,
): Promise<{ header: SnapshotHeader; state: ArrayBuffer }> {
  const { header } = readSnapshot(snapshot?.bytes);
  assertCompatible(header, {
    name: guest.name,
    spec: { ...guest.spec, image: imageIdOf(guest.spec) },
    imageSha256: await imageSha256(guest.files),
  });
  const state = await snapshotState(snapshot);
  return { header, state: state.buffer as ArrayBuffer };
}

/**
 * Puts a snapshot's machine in place of the guest's. The snapshot is checked and a new machine
 * started from it first; only then does the old one end, so a refused or failed restore leaves
 * the guest running as it was. Returns the snapshot's header.
 */
export async function restoreGuest(parts: GuestParts, snapshot: Snapshot): Promise<SnapshotHeader> {
  assertSettled(parts, "restore");
  const { guest, link, shell } = parts;
  const from = await checkSnapshot(guest, snapshot);
  const paused = guest.state === "paused";
  link.beginSwap("restoring");
  let next;
  try {
    next = link.open(guest.placement);
    try {
      await link.request(
        { type: "boot", config: await parts.machineConfig({ initialState: from.state, paused }) },
        { on: next },
      );
    } catch (error) {
      await link.discard(next);
      throw error;
    }
  } catch (error) {
    link.endSwap();
    throw error;
  }
  // The old machine may have died while the new one was made: then there is nothing to replace.
  if (!isAllowed("restore", guest.state)) {
    await link.discard(next);
    link.endSwap();
    assertAllowed("restore", guest.state, guest.name);
  }
  parts.resetShell(`Guest "${guest.name}" was restored from a snapshot.`);
  link.adopt(next);
  shell.markReady(from.header.guest.readyConsoles);
  parts.watchReady();
  link.endSwap();
  parts.setState(
    paused ? "paused" : shell.isReady(guest.primaryConsole) || guest.readiness.kind === "none" ? "running" : "booting",
  );
  if (!paused) await adoptIdentity(parts, from.header);
  return from.header;
}

/** A guest's first machine came from a snapshot and runs: its shells are ready, and it takes its own identity. */
export async function startedFrom(
  parts: GuestParts,
  header: SnapshotHeader,
  stillCurrent: () => boolean,
): Promise<void> {
  // Not ready before the machine runs: input and the console size would find no machine yet.
  if (stillCurrent()) parts.shell.markReady(header.guest.readyConsoles);
  // A guest stopped or terminated meanwhile has no name or MAC to adopt any more.
  await adoptIdentity(parts, header).catch((error: unknown) => {
    if (stillCurrent()) throw error;
  });
}

/**
 * A machine from another guest's snapshot still has that guest's name and MAC in its kernel:
 * give it this guest's own (the device already has the MAC, see machine/nic.ts).
 */
export async function adoptIdentity(parts: GuestParts, header: SnapshotHeader): Promise<void> {
  const { guest } = parts;
  const { spec } = guest;
  const mac = spec.mac;
  const newMac = spec.net !== "none" && !!mac && header.spec.mac?.toLowerCase() !== mac.toLowerCase();
  const newName = header.spec.name !== guest.name;
  if ((!newMac && !newName) || !parts.shell.isReady(guest.primaryConsole)) return;
  // An NE2000 takes a new address only while it is down: one ifconfig does down, address, up.
  // Then the image's DHCP client (its pid in /var/run/udhcpc.eth0.pid) lets the snapshot's lease
  // go (SIGUSR2) and asks again (SIGUSR1), with the new MAC: the guest gets its own address.
  const setMac = `${spec.net === "ne2k" ? `ifconfig eth0 down hw ether ${mac} up` : `ip link set dev eth0 address ${mac}`} && if read -r p 2>/dev/null </var/run/udhcpc.eth0.pid; then kill -USR2 $p; kill -USR1 $p; fi`;
  // The name is a courtesy (the prompt shows it); the MAC must be taken or the guest is refused.
  const command = [newName ? `hostname ${guest.name} 2>/dev/null` : "", newMac ? setMac : "true"]
    .filter(Boolean)
    .join("; ");
  // The user did not type this: keep it out of the console they see.
  const result = await parts.shell.quietly(command, 15_000);
  if (result.exitCode !== 0)
    throw new HyperlabError(
      "snapshot-incompatible",
      `Guest "${guest.name}" could not take its own MAC address ${mac}: ${result.output.trim()}`,
    );
}
