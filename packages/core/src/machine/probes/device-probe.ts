/**
 * The probes of one machine: port exits (port-probe.ts), interrupts (irq-probe.ts), virtio
 * notifications and ring indices, and bytes each device moved, attributed to devices when a
 * sample is taken. Attribution is recomputed at every sample from who owns each port now
 * (`cpu.io.ports[port].device`) and where each virtio device's notify BAR is now, so it
 * follows the guest when it moves PCI BARs.
 */
import {
  DEVICE_KEYS,
  emptyDeviceProbe,
  type DeviceKey,
  type DeviceProbe,
  type ProbeSample,
  type QueueProbe,
} from "../../probes/metrics.js";
import { queueName } from "../../probes/queue-names.js";
import type { V86Cpu, V86Listeners, VirtIO } from "../v86-internals.js";
import { IrqProbe, LINES } from "./irq-probe.js";
import { KIND_BYTES, PORTS, PortProbe, WRITE16, WRITE32, WRITE8 } from "./port-probe.js";

/** Devices in a fixed order: index into the accumulators. */
const KEYS: readonly DeviceKey[] = DEVICE_KEYS;
const PLATFORM = KEYS.indexOf("platform");

interface VirtioEntry {
  key: DeviceKey;
  virtio: VirtIO;
  /** Last seen ring indices, per queue. */
  lastAvail: number[];
  lastUsed: number[];
}

export class DeviceProbes {
  private readonly ports = new PortProbe();
  private readonly irqs = new IrqProbe();
  private readonly owners = new Map<object, number>();
  private readonly virtio: VirtioEntry[] = [];
  /** ISA lines owned by emulated devices (PCI devices are counted by function). */
  private readonly isaLines: [number, number][] = [];
  private readonly pciIds: [number, number][] = [];
  private readonly bytes = new Float64Array(KEYS.length);
  private readonly firstAt = new Float64Array(KEYS.length);
  private readonly firstBytes = new Float64Array(KEYS.length);
  private readonly lastAt = new Float64Array(KEYS.length);
  private readonly listeners: [string, (value: never) => void][] = [];
  private lastSample = 0;

  constructor(
    private readonly cpu: V86Cpu,
    private readonly bus: V86Listeners,
    private readonly now: () => number = () => performance.now(),
  ) {
    const d = cpu.devices;
    const own = (object: object | undefined, key: DeviceKey) => object && this.owners.set(object, KEYS.indexOf(key));
    if (d.uart0) {
      own(d.uart0, "uart");
      this.isaLines.push([d.uart0.irq, KEYS.indexOf("uart")]);
    }
    if (d.ide) {
      own(d.ide, "ide");
      for (const channel of [d.ide.primary, d.ide.secondary]) {
        if (!channel) continue;
        own(channel, "ide");
        this.isaLines.push([channel.irq, KEYS.indexOf("ide")]);
      }
    }
    if (d.net) {
      own(d.net, "ne2k");
      this.pciIds.push([d.net.pci_id, KEYS.indexOf("ne2k")]);
    }
    const virtio: [DeviceKey, { virtio: VirtIO } | undefined][] = [
      ["virtio-console", d.virtio_console],
      ["virtio-net", d.virtio_net],
      ["virtio-9p", d.virtio_9p],
      ["virtio-balloon", d.virtio_balloon],
    ];
    for (const [key, device] of virtio) {
      if (!device) continue;
      own(device, key);
      own(device.virtio, key);
      this.pciIds.push([device.virtio.pci_id, KEYS.indexOf(key)]);
      this.virtio.push({ key, virtio: device.virtio, lastAvail: [], lastUsed: [] });
    }
  }

  get enabled(): boolean {
    return this.ports.installed;
  }

  /** Payload a device moved (called by the machine for console output it batches itself). */
  moved(key: DeviceKey, bytes: number): void {
    if (!this.enabled || bytes <= 0) return;
    const i = KEYS.indexOf(key);
    const at = this.now();
    if (this.bytes[i] === 0) {
      this.firstAt[i] = at;
      this.firstBytes[i] = bytes;
    }
    this.bytes[i] += bytes;
    this.lastAt[i] = at;
  }

  enable(): void {
    if (this.enabled) return;
    this.ports.counts.fill(0);
    this.irqs.clear();
    this.bytes.fill(0);
    this.ports.install(this.cpu.io);
    this.irqs.install(this.cpu, this.cpu.devices.pci);
    const nic: DeviceKey = this.cpu.devices.virtio_net ? "virtio-net" : "ne2k";
    const listen = <T>(name: string, listener: (value: T) => void) => {
      this.listeners.push([name, listener as (value: never) => void]);
      this.bus.add_listener(name, listener as (value: never) => void);
    };
    listen<[number]>("eth-transmit-end", ([length]) => this.moved(nic, length));
    listen<[number]>("eth-receive-end", ([length]) => this.moved(nic, length));
    listen<[number, number]>("ide-read-end", ([, length]) => this.moved("ide", length));
    listen<[number, number]>("ide-write-end", ([, length]) => this.moved("ide", length));
    listen<[string, number]>("9p-read-end", ([, length]) => this.moved("virtio-9p", length));
    listen<[string, number]>("9p-write-end", ([, length]) => this.moved("virtio-9p", length));
    for (const entry of this.virtio) this.rings(entry);
    this.lastSample = this.now();
  }

  disable(): void {
    if (!this.enabled) return;
    this.ports.uninstall();
    this.irqs.uninstall();
    for (const [name, listener] of this.listeners) this.bus.remove_listener(name, listener);
    this.listeners.length = 0;
  }

  /** Where a virtio device's notify registers are now (BAR1, as the guest placed it), or 0. */
  private notifyBase(virtio: VirtIO): number {
    const bar1 = this.cpu.devices.pci.device_spaces[virtio.pci_id]?.[5] ?? 0;
    return bar1 & 1 ? bar1 & 0xfffc : 0;
  }

  /** Reads the rings' indices and returns the deltas since the last read. */
  private rings(entry: VirtioEntry): { avail: number; used: number; posted: number; completed: number }[] {
    return entry.virtio.queues.map((q, i) => {
      const live = q.enabled && q.avail_addr !== 0 && q.used_addr !== 0;
      const avail = live ? q.avail_get_idx() : 0;
      const used = live ? q.used_get_idx() : 0;
      const posted = (avail - (entry.lastAvail[i] ?? avail)) & 0xffff;
      const completed = (used - (entry.lastUsed[i] ?? used)) & 0xffff;
      entry.lastAvail[i] = avail;
      entry.lastUsed[i] = used;
      return { avail, used, posted, completed };
    });
  }

  /** Everything since the last sample, attributed to devices; counters start again from zero. */
  sample(): ProbeSample {
    const at = this.now();
    const intervalMs = at - this.lastSample;
    this.lastSample = at;
    const devices = KEYS.map((key) => emptyDeviceProbe(key));
    const portMaps = KEYS.map(() => new Map<number, { port: number; reads: number; writes: number }>());
    const irqLines = new Array<number>(LINES).fill(0);
    if (!this.enabled) return { at, intervalMs, devices: [], irqLines, exits: 0 };

    // Notify registers first: their writes are the virtio notifications.
    const notifyWrites = new Map<number, number>();
    const queues: QueueProbe[][] = KEYS.map(() => []);
    for (const entry of this.virtio) {
      const i = KEYS.indexOf(entry.key);
      const base = this.notifyBase(entry.virtio);
      const rings = this.rings(entry);
      const seen = new Set<number>();
      entry.virtio.queues.forEach((q, index) => {
        const port = base ? base + 2 * q.notify_offset : 0;
        let kicks = 0;
        if (port) {
          kicks = notifyWrites.get(port) ?? 0;
          if (!notifyWrites.has(port)) {
            kicks = this.ports.count(WRITE8, port) + this.ports.count(WRITE16, port) + this.ports.count(WRITE32, port);
            notifyWrites.set(port, kicks);
          }
          if (!seen.has(port)) devices[i].notifications += kicks;
          seen.add(port);
        }
        queues[i].push({
          index,
          name: queueName(entry.key, index),
          size: q.size,
          enabled: q.enabled,
          ...rings[index],
          notifications: kicks,
          notifyPort: port,
        });
      });
    }

    let exits = 0;
    const ownerOf = new Int8Array(PORTS).fill(-1);
    const ports = this.cpu.io.ports;
    this.ports.drain((kind, port, n) => {
      let owner = ownerOf[port];
      if (owner < 0) {
        const device = ports[port]?.device;
        owner = ownerOf[port] = (device && this.owners.get(device)) ?? PLATFORM;
      }
      const d = devices[owner];
      const write = kind >= WRITE8;
      if (write) d.writes += n;
      else d.reads += n;
      d.byWidth[kind] += n;
      d.ioBytes += n * KIND_BYTES[kind];
      exits += n;
      const map = portMaps[owner];
      const entry = map.get(port) ?? { port, reads: 0, writes: 0 };
      if (write) entry.writes += n;
      else entry.reads += n;
      map.set(port, entry);
    });

    for (let line = 0; line < LINES; line++) irqLines[line] = this.irqs.lines[line];
    for (const [line, i] of this.isaLines) if (line < LINES) devices[i].irqs += this.irqs.lines[line];
    for (const [id, i] of this.pciIds) devices[i].irqs += this.irqs.pci[id & 255];
    this.irqs.clear();

    const out: DeviceProbe[] = [];
    for (let i = 0; i < KEYS.length; i++) {
      const d = devices[i];
      d.ports = [...portMaps[i].values()].sort((a, b) => b.reads + b.writes - (a.reads + a.writes)).slice(0, 8);
      d.queues = queues[i];
      d.bytes = this.bytes[i];
      if (this.bytes[i] > 0) {
        d.firstAt = this.firstAt[i];
        d.lastAt = this.lastAt[i];
        d.firstBytes = this.firstBytes[i];
      }
      const present = i === PLATFORM || this.owners.size === 0 || [...this.owners.values()].includes(i);
      if (present) out.push(d);
    }
    this.bytes.fill(0);
    return { at, intervalMs, devices: out, irqLines, exits };
  }
}
