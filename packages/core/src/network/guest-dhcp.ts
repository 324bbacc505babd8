/**
 * Runs BusyBox `udhcpc` in a guest against its segment's DHCP server. The image has no
 * /usr/share/udhcpc/default.script, without which udhcpc gets a lease but configures nothing,
 * so this writes a small script first (the image could carry it later).
 */
import { HyperlabError } from "../errors.js";
import type { Guest } from "../guest/guest.js";

export const UDHCPC_SCRIPT_PATH = "/tmp/hl-udhcpc.sh";

/** The udhcpc event script (see busybox networking/udhcp/dhcpc.c for the variables it sets). */
export const UDHCPC_SCRIPT = `#!/bin/sh
case "$1" in
  deconfig) ip addr flush dev "$interface"; ip link set "$interface" up ;;
  bound|renew) ip addr flush dev "$interface"; ip addr add "$ip/\${mask:-24}" dev "$interface" ;;
esac
exit 0
`;

/** The shell command that writes the script and asks for a lease on `iface`. */
export function dhcpCommand(iface = "eth0"): string {
  return [
    // printf with one quoted argument per line: the script has no single quotes.
    `printf '%s\\n' ${UDHCPC_SCRIPT.trimEnd()
      .split("\n")
      .map((line) => `'${line}'`)
      .join(" ")} > ${UDHCPC_SCRIPT_PATH}`,
    `chmod +x ${UDHCPC_SCRIPT_PATH}`,
    `ip link set ${iface} up`,
    `udhcpc -i ${iface} -s ${UDHCPC_SCRIPT_PATH} -q -n -t 5 -T 1 >/dev/null 2>&1`,
    `ip -4 -o addr show dev ${iface}`,
  ].join(" && ");
}

/** Gets the guest a DHCP lease and returns the address its interface now has. */
export async function leaseAddress(
  guest: Guest,
  options: { iface?: string; timeoutMs?: number } = {},
): Promise<string> {
  const result = await guest.exec(dhcpCommand(options.iface), { timeoutMs: options.timeoutMs ?? 30_000 });
  const match = /inet (\d+\.\d+\.\d+\.\d+)\//.exec(result.output);
  if (result.exitCode !== 0 || !match)
    throw new HyperlabError(
      "invalid-state",
      `Guest "${guest.name}" got no DHCP lease (udhcpc exited with ${result.exitCode}): ${result.output.trim() || "no output"}`,
      { guest: guest.name },
    );
  return match[1];
}
