/**
 * A guest's DHCP lease, seen from the host. The image's own DHCP client asks for it (BusyBox
 * `udhcpc`, started by the image's /init at boot, with its event script
 * /usr/share/udhcpc/default.script), as a cloud instance does; the host types nothing into the
 * guest for it and only watches its segment's DHCP server hand the lease out.
 */
import type { Guest } from "../guest/guest.js";
import type { Network } from "./network.js";

/** The network each guest's NIC is plugged into (set by Network.attach). */
const networks = new WeakMap<Guest, Network>();

export function pluggedInto(guest: Guest, network: Network): void {
  networks.set(guest, network);
}

/**
 * The address the guest's DHCP client took: at once if it holds its lease, else once it asks
 * (see Network.waitForLease, which this calls on the guest's network).
 */
export function leaseAddress(guest: Guest, options: { timeoutMs?: number } = {}): Promise<string> {
  const network = networks.get(guest);
  if (!network) return Promise.reject(new Error(`Guest "${guest.name}" has no network card.`));
  return network.waitForLease(guest, options);
}
