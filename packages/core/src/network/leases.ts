/**
 * Waiting for a guest's own DHCP client: resolves with the address once the guest has asked for
 * and got its lease from its segment's server and uses it (at once if so already; see
 * PortInfo.leased), through what the network reports (its ports, segments and change events).
 */
import { HyperlabError } from "../errors.js";
import type { Guest } from "../guest/guest.js";
import type { DhcpServer, Lease } from "./dhcp.js";
import { formatIp } from "./frame.js";
import type { Network } from "./network.js";

/**
 * Tells the network what a segment's DHCP server sees: a guest acknowledged its lease, and
 * (what counts) the guest uses the address: the ARP its DHCP script sends once it is on eth0.
 */
export function reportLeases(
  server: DhcpServer,
  guestOf: (lease: Lease) => Guest | undefined,
  to: { changed(reason: string): void; leased(guest: string, address: string): void },
): void {
  server.onBound = (lease) => {
    const guest = guestOf(lease);
    if (guest) to.changed(`${guest.name} acknowledged ${formatIp(lease.ip)}`);
  };
  server.onInUse = (lease) => {
    const guest = guestOf(lease);
    if (!guest) return;
    const address = formatIp(lease.ip);
    to.leased(guest.name, address);
    to.changed(`${guest.name} leased ${address}`);
  };
}

export function waitForLease(network: Network, name: string, timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const check = (): boolean => {
      const port = network.port(name);
      if (port.leased && port.address) resolve(port.address);
      else if (!network.segments.find((s) => s.name === port.segment)?.dhcp)
        reject(
          new HyperlabError(
            "invalid-state",
            `Guest "${name}" gets no address: the DHCP server of segment "${port.segment}" is off.`,
            { guest: name },
          ),
        );
      else return false;
      return true;
    };
    if (check()) return;
    const timer = setTimeout(() => {
      sub.dispose();
      reject(
        new HyperlabError(
          "invalid-state",
          `Guest "${name}" asked for no DHCP lease within ${Math.round(timeoutMs / 1000)} s (is it running, its cable plugged, its eth0 up?).`,
          { guest: name },
        ),
      );
    }, timeoutMs);
    const sub = network.on("network:change", () => {
      if (!network.ports.some((p) => p.guest === name)) return;
      if (check()) {
        clearTimeout(timer);
        sub.dispose();
      }
    });
  });
}
