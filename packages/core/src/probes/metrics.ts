/**
 * What the device probes report: port-I/O exits per device (the analogue of KVM's
 * IO_INSTRUCTION exits), virtio notifications and ring indices, interrupts per line, and the
 * bytes each device moved to or from its host backend. Plain data: it crosses the worker
 * boundary as is. The probes themselves live in machine/probes/ (the only code that sees v86);
 * this module is their data and its arithmetic, for the machine and for those who read it.
 */

/** The devices a probe names. Anything else that owns ports is reported as "platform". */
export const DEVICE_KEYS = [
  "uart",
  "virtio-console",
  "ne2k",
  "virtio-net",
  "ide",
  "virtio-9p",
  "virtio-balloon",
  "platform",
] as const;
export type DeviceKey = (typeof DEVICE_KEYS)[number];

/** Port accesses by width, in the order reads 8/16/32, writes 8/16/32. */
export type WidthCounts = [number, number, number, number, number, number];

/** One virtio queue: its ring indices at the end of the interval and what happened in it. */
export interface QueueProbe {
  index: number;
  /** e.g. "transmitq"; see queue-names.ts. */
  name: string;
  size: number;
  enabled: boolean;
  /** The driver's avail index (u16) and the device's used index (u16), at the sample. */
  avail: number;
  used: number;
  /** Buffers the driver made available in the interval (avail index delta). */
  posted: number;
  /** Buffers the device returned in the interval (used index delta). */
  completed: number;
  /** Writes to this queue's notify register ("kicks"). Queues sharing a register share the count. */
  notifications: number;
  /** The notify register's port (after the guest placed BAR1), or 0 before it is known. */
  notifyPort: number;
}

/** One device over one interval. */
export interface DeviceProbe {
  device: DeviceKey;
  /** Port-I/O exits: reads and writes of the device's ports. */
  reads: number;
  writes: number;
  byWidth: WidthCounts;
  /** Bytes carried by those exits (the width of each access). */
  ioBytes: number;
  /** Virtio queue notifications (writes to notify registers); 0 for emulated devices. */
  notifications: number;
  /** Interrupts the device raised (rising edges of its line or PCI interrupt). */
  irqs: number;
  /** Payload the device moved to or from its host backend (console output, frames, disk/file reads). */
  bytes: number;
  /** The busiest ports, most accesses first (at most 8). */
  ports: { port: number; reads: number; writes: number }[];
  queues: QueueProbe[];
  /** Worker-clock times (ms) of the first and last payload movement in the interval, if any. */
  firstAt?: number;
  lastAt?: number;
  /** Payload moved by the first movement (so a rate over [firstAt, lastAt] can leave it out). */
  firstBytes?: number;
}

/** All devices of one guest over one interval. */
export interface ProbeSample {
  /** Worker clock (ms) at the end of the interval. */
  at: number;
  intervalMs: number;
  devices: DeviceProbe[];
  /** Interrupts raised per ISA/PIC line 0–23 in the interval. */
  irqLines: number[];
  /** Port-I/O exits of every device together. */
  exits: number;
}

/** A running sum of samples, e.g. since probes were switched on. */
export interface ProbeTotals {
  /** Worker clock of the first and last sample added. */
  since: number;
  until: number;
  devices: Partial<Record<DeviceKey, DeviceProbe>>;
  irqLines: number[];
  exits: number;
}

export function emptyDeviceProbe(device: DeviceKey): DeviceProbe {
  return {
    device,
    reads: 0,
    writes: 0,
    byWidth: [0, 0, 0, 0, 0, 0],
    ioBytes: 0,
    notifications: 0,
    irqs: 0,
    bytes: 0,
    ports: [],
    queues: [],
  };
}

export function emptyTotals(at = 0): ProbeTotals {
  return { since: at, until: at, devices: {}, irqLines: new Array<number>(24).fill(0), exits: 0 };
}

function addPorts(a: DeviceProbe["ports"], b: DeviceProbe["ports"]): DeviceProbe["ports"] {
  const byPort = new Map(a.map((p) => [p.port, { ...p }]));
  for (const p of b) {
    const seen = byPort.get(p.port);
    if (seen) {
      seen.reads += p.reads;
      seen.writes += p.writes;
    } else byPort.set(p.port, { ...p });
  }
  return [...byPort.values()].sort((x, y) => y.reads + y.writes - (x.reads + x.writes)).slice(0, 8);
}

function addQueues(a: QueueProbe[], b: QueueProbe[]): QueueProbe[] {
  const out = b.map((q) => ({ ...q }));
  for (const q of out) {
    const old = a.find((o) => o.index === q.index);
    if (!old) continue;
    q.posted += old.posted;
    q.completed += old.completed;
    q.notifications += old.notifications;
  }
  return out;
}

/** Adds one device's interval to a running sum (ring indices are the latest; counts add). */
export function addDeviceProbe(sum: DeviceProbe, next: DeviceProbe): DeviceProbe {
  const merged: DeviceProbe = {
    device: sum.device,
    reads: sum.reads + next.reads,
    writes: sum.writes + next.writes,
    byWidth: sum.byWidth.map((n, i) => n + next.byWidth[i]) as WidthCounts,
    ioBytes: sum.ioBytes + next.ioBytes,
    notifications: sum.notifications + next.notifications,
    irqs: sum.irqs + next.irqs,
    bytes: sum.bytes + next.bytes,
    ports: addPorts(sum.ports, next.ports),
    queues: addQueues(sum.queues, next.queues),
    firstAt: sum.firstAt,
    lastAt: sum.lastAt,
    firstBytes: sum.firstBytes,
  };
  if (next.firstAt !== undefined && (merged.firstAt === undefined || next.firstAt < merged.firstAt)) {
    merged.firstAt = next.firstAt;
    merged.firstBytes = next.firstBytes;
  }
  if (next.lastAt !== undefined && (merged.lastAt === undefined || next.lastAt > merged.lastAt))
    merged.lastAt = next.lastAt;
  return merged;
}

/** Adds a sample to running totals, in place, and returns them. */
export function addSample(totals: ProbeTotals, sample: ProbeSample): ProbeTotals {
  if (totals.exits === 0 && Object.keys(totals.devices).length === 0) totals.since = sample.at - sample.intervalMs;
  totals.until = sample.at;
  totals.exits += sample.exits;
  sample.irqLines.forEach((n, i) => (totals.irqLines[i] = (totals.irqLines[i] ?? 0) + n));
  for (const device of sample.devices) {
    const sum = totals.devices[device.device];
    totals.devices[device.device] = sum
      ? addDeviceProbe(sum, device)
      : addDeviceProbe(emptyDeviceProbe(device.device), device);
  }
  return totals;
}
