/**
 * Starting a lab: the one way `hyperlab up` and the web app's lessons bring a lab's guests up.
 * The lab is checked whole first — its own rules (validateLab), then against the hypervisor:
 * names taken, segments already in use, images, addresses on each segment and memory (RAM and
 * overhead, on the hosts) — so a bad lab creates nothing (see admission.ts).
 * A lab that fails later (a boot, a shell, a lease) terminates the guests it created.
 */
import { HyperlabError } from "../errors.js";
import type { Guest } from "../guest/guest.js";
import { isLive } from "../guest/state.js";
import type { Hypervisor } from "../hypervisor.js";
import { parseSubnet } from "../network/dhcp.js";
import { formatIp } from "../network/frame.js";
import { checkSpecAgainstImage, validateSpec } from "../spec.js";
import { checkLabFits } from "./admission.js";
import { guestSpec, validateLab, type Lab } from "./lab.js";

/** Boot, shells and leases together, when the caller gives no budget: a cold boot of a few guests on a slow host. */
export const DEFAULT_LAB_TIMEOUT_MS = 150_000;

/** What startLab reports as it goes, guest by guest. */
export interface LabProgress {
  stage: "created" | "started" | "ready";
  guest: Guest;
  /** "started": whether it came from its image's ready snapshot, and if not why not. */
  instant?: boolean;
  reason?: string;
  /** "ready": the address its segment's DHCP server leased it (guests with a NIC). */
  address?: string;
}

export interface StartLabOptions {
  /** Start each guest from its image's ready snapshot when one fits (hv.startInstant); else a cold boot. */
  instant?: boolean;
  /**
   * Take guests of the lab's names that exist already as they are (started if off, live ones
   * left alone) instead of refusing the lab: pressing "start" again finishes a lab.
   */
  adopt?: boolean;
  /** One budget for starting, the shells and the leases together (ms). */
  timeoutMs?: number;
  /** How to wait for a guest's shell; by default `guest.waitReady` on its primary console. */
  waitReady?: (guest: Guest, timeoutMs: number) => Promise<void>;
  /** Called (and awaited) as each guest is created, started and ready. */
  onProgress?: (event: LabProgress) => void | Promise<void>;
  /** Where the lab came from, for error sentences (e.g. its file's path). */
  source?: string;
}

/** A subnet as the network writes it (10.0.1.7/24 is 10.0.1.0/24), so equal subnets compare equal. */
function normalSubnet(cidr: string): string {
  const { network, prefix } = parseSubnet(cidr);
  return `${formatIp(network)}/${prefix}`;
}

/** Refuses a lab that would clash with what the hypervisor has (before anything is created). */
async function checkAgainst(hv: Hypervisor, lab: Lab, source: string, adopt: boolean): Promise<void> {
  const newMemoryMiB: number[] = [];
  for (const [index, labGuest] of lab.guests.entries()) {
    const { name } = labGuest;
    const existing = hv.guests.find((g) => g.name === name);
    if (existing && !adopt)
      throw new HyperlabError(
        "invalid-spec",
        `${source}: Guest "${name}" cannot be created: there is already a guest named "${name}".`,
        { field: `guests[${index}].name`, reason: "name-taken", name, source },
      );
    if (existing) {
      if (labGuest.segment && existing.spec.net === "none")
        throw new HyperlabError(
          "invalid-spec",
          `${source}: Guest "${name}" exists without a network card, so it cannot join segment "${labGuest.segment}".`,
          { field: `guests[${index}].segment`, guest: name, source },
        );
      if (labGuest.groups?.length && existing.spec.net === "none")
        throw new HyperlabError(
          "invalid-spec",
          `${source}: Guest "${name}" exists without a network card, so it cannot be in security groups.`,
          { field: `guests[${index}].groups`, guest: name, source },
        );
      continue;
    }
    // The image's manifest entry is enough to know its memory (no image file is read here).
    const image = await hv.catalog.get(labGuest.image);
    newMemoryMiB.push(checkSpecAgainstImage(validateSpec(guestSpec(labGuest)), image).memoryMiB);
  }
  for (const [index, segment] of lab.segments.entries()) {
    const existing = hv.network.segments.find((s) => s.name === segment.name);
    if (!existing || segment.subnet === undefined || existing.guests.length === 0) continue;
    // The network cannot renumber a segment with guests on it.
    const wanted = normalSubnet(segment.subnet);
    if (wanted !== existing.subnet)
      throw new HyperlabError(
        "invalid-state",
        `${source}: Segment "${segment.name}" has guests on ${existing.subnet}; the lab's ${wanted} cannot replace it.`,
        { field: `segments[${index}].subnet`, source },
      );
  }
  // Addresses on every segment and memory (RAM and overhead) on the hosts, for the lab whole.
  checkLabFits(hv, lab, newMemoryMiB, source);
}

/** `promise`, or a boot-timeout if it takes longer than `ms`; a late rejection is dropped. */
async function within<T>(promise: Promise<T>, ms: number, sentence: string): Promise<T> {
  promise.catch(() => undefined);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new HyperlabError("boot-timeout", sentence)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Starts a lab on a hypervisor: checks it whole, defines its segments, creates its guests (in
 * file order) with each NIC plugged into its segment (addresses .10, .11, … in file order),
 * starts the guests, waits for their shells and gets each guest with a NIC its DHCP lease.
 * Returns the lab's guests in file order. If any step fails, the guests this call created are
 * terminated before the error is thrown (adopted guests are left as they were).
 */
export async function startLab(hv: Hypervisor, input: Lab, options: StartLabOptions = {}): Promise<Guest[]> {
  const source = options.source ?? `lab "${String(input?.name)}"`;
  const lab = validateLab(input, source);
  await checkAgainst(hv, lab, source, options.adopt ?? false);
  const timeoutMs = options.timeoutMs ?? DEFAULT_LAB_TIMEOUT_MS;
  const end = Date.now() + timeoutMs;
  // At least 1 ms, so that a late step still fails with its own timeout and sentence.
  const left = () => Math.max(1, end - Date.now());
  const waitReady = options.waitReady ?? ((guest, ms) => guest.waitReady({ timeoutMs: ms }));
  const report = async (event: LabProgress) => options.onProgress?.(event);

  const created: Guest[] = [];
  const guests: Guest[] = [];
  try {
    // Segments first; then each guest, in file order, is created on its segment (or an adopted
    // one moved there): addresses are .10, .11, … per segment, and no guest passes through another.
    for (const segment of lab.segments)
      hv.network.defineSegment(segment.name, segment.subnet && normalSubnet(segment.subnet));
    // One after another: the image is read and verified once, then served from the catalog's cache.
    for (const labGuest of lab.guests) {
      const existing = options.adopt ? hv.guests.find((g) => g.name === labGuest.name) : undefined;
      const guest = existing ?? (await hv.create(guestSpec(labGuest), undefined, { segment: labGuest.segment }));
      guests.push(guest);
      if (existing && labGuest.segment) hv.network.setSegment(guest, labGuest.segment);
      if (existing) continue;
      created.push(guest);
      await report({ stage: "created", guest });
    }
    // Security groups before the guests boot, so that their first frames meet the rules.
    if (lab.securityGroups) hv.network.defineGroups(lab.securityGroups);
    for (const labGuest of lab.guests) if (labGuest.groups) hv.network.setGroups(labGuest.name, labGuest.groups);

    const starting = Promise.all(
      guests.map(async (guest) => {
        if (isLive(guest.state)) return;
        let instant = false;
        let reason: string | undefined;
        if (options.instant) ({ instant, reason } = await hv.startInstant(guest));
        else await guest.start();
        await report({ stage: "started", guest, instant, ...(reason ? { reason } : {}) });
      }),
    );
    const seconds = Math.round(timeoutMs / 1000);
    await within(starting, left(), `Starting the guests of lab "${lab.name}" took longer than ${seconds} s.`);
    await Promise.all(
      guests.map(async (guest) => {
        await waitReady(guest, left());
        // A guest with a NIC asks its segment's DHCP server for its address itself (the image's udhcpc, at boot).
        let address: string | undefined;
        if (guest.spec.net !== "none") address = await hv.network.waitForLease(guest, { timeoutMs: left() });
        await report({ stage: "ready", guest, ...(address ? { address } : {}) });
      }),
    );
    return guests;
  } catch (error) {
    await Promise.all(
      created.map((guest) => (guest.state === "terminated" ? undefined : guest.terminate().catch(() => undefined))),
    );
    throw error;
  }
}
