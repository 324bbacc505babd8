import { guestSpec, leaseAddress, parseLab, type Guest, type Hypervisor, type Lab } from "@hyperlab/core";
import { hasMethod } from "./checks";

/** The lessons' lab files, the same JSON `hyperlab up <file>` reads. */
const FILES = import.meta.glob<string>("./labs/*.lab.json", { query: "?raw", import: "default", eager: true });

export const LABS: Record<string, Lab> = Object.fromEntries(
  Object.entries(FILES).map(([path, source]) => {
    const lab = parseLab(source, path.replace("./", "lessons/"));
    return [lab.name, lab];
  }),
);

/** The lab file's path in the repository, for `hyperlab up`. */
export function labPath(name: string): string {
  return `apps/web/src/lessons/labs/${name}.lab.json`;
}

const LIVE = ["booting", "running", "paused", "rebooting"];

/**
 * Starts a lab's guests: creates the ones that do not exist, starts the ones that are off,
 * leaves live ones alone; plugs NICs into the lab's segments and asks for DHCP leases, as
 * `hyperlab up` does. Guests boot from their image's ready snapshot when one fits.
 */
export async function startLab(hv: Hypervisor, lab: Lab): Promise<Guest[]> {
  const guests: Guest[] = [];
  for (const labGuest of lab.guests) {
    const existing = hv.guests.find((g) => g.name === labGuest.name);
    guests.push(existing ?? (await hv.create(guestSpec(labGuest))));
  }
  const network = hv.network;
  if (network && hasMethod(network, "defineSegment")) {
    for (const segment of lab.segments) network.defineSegment(segment.name, segment.subnet);
    for (const labGuest of lab.guests) if (labGuest.segment) network.setSegment(labGuest.name, labGuest.segment);
  }
  await Promise.all(
    guests.map(async (guest) => {
      if (LIVE.includes(guest.state)) return;
      if (hasMethod(hv, "startInstant")) await hv.startInstant(guest);
      else await guest.start();
    }),
  );
  await Promise.all(
    guests.map(async (guest) => {
      await guest.waitReady({ timeoutMs: 120_000 });
      // Like `hyperlab up`: a guest with a NIC asks its segment's DHCP server for its address.
      if (guest.spec.net !== "none" && network && !network.port(guest).leased)
        await leaseAddress(guest, { timeoutMs: 30_000 });
    }),
  );
  return guests;
}
