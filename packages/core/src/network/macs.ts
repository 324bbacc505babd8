/**
 * MAC addresses the network gives: locally administered (bit 1 of the first octet) and unicast,
 * "HL" after 02. A guest's comes from its name, so the same lab gets the same MACs on every run;
 * the segments' DHCP servers take 02:48:4c:ff:xx:xx, which no guest gets.
 */
const MAC_PREFIX = 0x02_48_4c * 2 ** 24;
const SERVERS = 0xff_00_00;

/** FNV-1a, 32 bits: spreads guest names over the MAC space the same way on every run. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash;
}

/** The MAC for guest `name`: from its name, else the next one up that nobody has. */
export function guestMac(name: string, taken: ReadonlySet<number>): number {
  let mac = MAC_PREFIX + (fnv1a(name) & 0xff_ff_ff);
  while (taken.has(mac) || (mac & SERVERS) === SERVERS) mac = MAC_PREFIX + ((mac + 1) & 0xff_ff_ff);
  return mac;
}

/** The MAC of the n-th segment's DHCP server. */
export function serverMac(n: number): number {
  return MAC_PREFIX + SERVERS + n;
}
