/**
 * Lab workloads that push the same data through the full-virtualization or the paravirtual
 * device of a pair, and measure it with the guest's probes: exits per KiB, KiB/s, interrupts.
 * The commands use the image's tools (hl-write, BusyBox dd/ping/arp), so a user can type them
 * on a console too; `pathCommand` shows them.
 */
import type { Disposable } from "../events.js";
import type { Guest } from "../guest/guest.js";
import { parseIp, parseMac } from "../network/frame.js";
import { echoReply } from "../network/icmp.js";
import type { ConsoleKind, GuestSpec, ResolvedSpec } from "../spec.js";
import { DEVICE_PAIRS, type DeviceModel, type PairId } from "../devices/catalog.js";
import { addSample, emptyDeviceProbe, emptyTotals, type DeviceKey, type DeviceProbe } from "../probes/metrics.js";
import { TEST_DATA_FILE, TEST_DATA_KIB } from "../test-data.js";

export type WorkloadPair = Exclude<PairId, "memory">;
export const WORKLOAD_PAIRS: readonly WorkloadPair[] = ["console", "network", "storage"];

/** ICMP payload per frame of the network workload (1442-byte Ethernet frames). */
const PING_PAYLOAD = 1400;

/** What a guest needs for one side of a pair. */
export function pathSpec(pair: WorkloadPair, side: DeviceModel): Partial<GuestSpec> {
  if (pair === "console") return { console: "both" };
  if (pair === "network") return { net: side === "full" ? "ne2k" : "virtio", console: "serial" };
  return { storage: "both", console: "serial" };
}

/** Whether a guest with this spec can run one side of a pair. */
export function canRunPath(
  spec: Pick<ResolvedSpec, "console" | "net" | "storage">,
  pair: WorkloadPair,
  side: DeviceModel,
): boolean {
  if (pair === "console") return spec.console === "both";
  if (pair === "network") return spec.net === (side === "full" ? "ne2k" : "virtio");
  const want = side === "full" ? "ide" : "9p";
  return spec.storage === want || spec.storage === "both";
}

export function pathDevice(pair: WorkloadPair, side: DeviceModel): DeviceKey {
  const found = DEVICE_PAIRS.find((p) => p.id === pair)!;
  return side === "full" ? found.full! : found.paravirtual;
}

/** The console the workload's command is typed on: never the one it measures. */
export function controlConsole(pair: WorkloadPair, side: DeviceModel): ConsoleKind {
  return pair === "console" && side === "full" ? "virtio" : "serial";
}

/** Sizes are rounded to what the commands move: whole 64 KiB blocks for storage. */
export function workloadKiB(pair: WorkloadPair, kib: number): number {
  const n = Math.max(1, Math.floor(kib));
  if (pair === "storage") return Math.min(TEST_DATA_KIB, Math.max(64, Math.round(n / 64) * 64));
  return n;
}

/** The network workload's peer: the host itself, answering pings at this address. */
const PEER_IP = "10.9.0.2";
const PEER_MAC = "02:00:00:00:00:02";
const NET_SETUP = `ip addr add 10.9.0.1/24 dev eth0 2>/dev/null; ip link set eth0 up; arp -s ${PEER_IP} ${PEER_MAC}`;

/**
 * Answers the guest's ICMP echo requests to PEER_IP from the host side of its NIC, so the
 * network workload is a round trip through the device (transmit and receive path) without a
 * second guest. Returns the subscription; dispose it when the workload ends.
 */
export function answerPings(guest: Guest): Disposable {
  const ip = parseIp(PEER_IP);
  const mac = parseMac(PEER_MAC);
  return guest.on("guest:frame", ({ bytes }) => {
    const reply = echoReply(bytes, mac, ip);
    if (reply) guest.sendFrame(reply);
  });
}

/** The shell command that moves `kib` KiB through one side of a pair. */
export function pathCommand(pair: WorkloadPair, side: DeviceModel, kib: number): string {
  const n = workloadKiB(pair, kib);
  if (pair === "console") {
    // Output post-processing (ONLCR) makes the tty layer hand the driver one line at a time;
    // off during the run, both drivers get the same large writes.
    // The text is made first (in tmpfs) so the shell's loop does not pace the device.
    const dev = `/dev/${side === "full" ? "ttyS0" : "hvc0"}`;
    return (
      `hl-write /tmp/hl-text ${n} >/dev/null; stty -F ${dev} -opost; ` +
      `dd if=/tmp/hl-text of=${dev} bs=64k 2>/dev/null; stty -F ${dev} opost; rm /tmp/hl-text`
    );
  }
  if (pair === "network") {
    // No peer is needed: a static neighbour makes the guest send; frames are counted on the way out.
    // The host answers every echo request (see `answerPings`); -A sends the next at each reply.
    const frames = Math.ceil((n * 1024) / PING_PAYLOAD);
    return `${NET_SETUP}; ping -q -A -c ${frames} -s ${PING_PAYLOAD} -W 1 ${PEER_IP} >/dev/null; true`;
  }
  // Caches dropped and O_DIRECT on the disk; 9p without a cache reads from the host every time.
  const source = side === "full" ? "/dev/sda iflag=direct" : `/mnt/host/${TEST_DATA_FILE}`;
  return `echo 3 > /proc/sys/vm/drop_caches; dd if=${source} of=/dev/null bs=64k count=${n / 64} 2>/dev/null`;
}

/** One side of a pair, measured. */
export interface PathResult {
  pair: WorkloadPair;
  side: DeviceModel;
  device: DeviceKey;
  /** Payload the workload asked to move. */
  kib: number;
  /** Payload the device moved, as the probes saw it. */
  bytes: number;
  exits: number;
  reads: number;
  writes: number;
  notifications: number;
  irqs: number;
  exitsPerKiB: number;
  irqsPerKiB: number;
  /** Bytes carried per port exit. */
  bytesPerExit: number;
  /** Throughput while the device moved data (first to last movement, worker clock). */
  kibPerSecond: number;
  /** The command's wall time, host clock, including the shell around it. */
  wallMs: number;
  command: string;
  /** The device's counters over the run (ports, queues, widths). */
  probe: DeviceProbe;
}

/**
 * Runs one side of a pair on a guest that has the device (see `canRunPath`) and measures it.
 * Switches the guest's probes on if they are off (and leaves them on).
 */
export async function runPath(
  guest: Guest,
  pair: WorkloadPair,
  side: DeviceModel,
  kib: number,
  options: { timeoutMs?: number } = {},
): Promise<PathResult> {
  const device = pathDevice(pair, side);
  const n = workloadKiB(pair, kib);
  const command = pathCommand(pair, side, n);
  const console = controlConsole(pair, side);
  await guest.waitReady({ console, timeoutMs: options.timeoutMs });
  await guest.setProbes(true);
  await guest.readProbes();
  const window = emptyTotals();
  const sub = guest.on("guest:probes", ({ sample }) => addSample(window, sample));
  const peer = pair === "network" ? answerPings(guest) : undefined;
  let wallMs: number;
  try {
    const t0 = performance.now();
    const result = await guest.exec(command, { console, timeoutMs: options.timeoutMs ?? 120_000 });
    wallMs = performance.now() - t0;
    if (result.exitCode !== 0) throw new Error(`"${command}" failed in guest "${guest.name}": ${result.output.trim()}`);
    await guest.readProbes();
  } finally {
    sub.dispose();
    peer?.dispose();
  }
  const probe = window.devices[device] ?? emptyDeviceProbe(device);
  const exits = probe.reads + probe.writes;
  const activeMs = probe.firstAt !== undefined && probe.lastAt !== undefined ? probe.lastAt - probe.firstAt : 0;
  const measured = probe.bytes - (probe.firstBytes ?? 0);
  const kibPerSecond = activeMs > 1 && measured > 0 ? measured / 1024 / (activeMs / 1000) : n / (wallMs / 1000);
  return {
    pair,
    side,
    device,
    kib: n,
    bytes: probe.bytes,
    exits,
    reads: probe.reads,
    writes: probe.writes,
    notifications: probe.notifications,
    irqs: probe.irqs,
    exitsPerKiB: exits / n,
    irqsPerKiB: probe.irqs / n,
    bytesPerExit: exits ? probe.bytes / exits : 0,
    kibPerSecond,
    wallMs,
    command,
    probe,
  };
}
