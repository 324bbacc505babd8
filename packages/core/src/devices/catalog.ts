/**
 * How each device's I/O travels, as data the UI can draw: guest driver → access (the trap
 * or the ring) → device model → host backend, with the ports, queues and interrupt involved.
 * Names of drivers, registers and queues are as in Linux 6.1 and v86 0.5.462; explanations in
 * prose belong to the app's dictionaries (keyed by device).
 */
import type { DeviceKey } from "../probes/metrics.js";
import { VIRTIO_QUEUES, type QueueDescription } from "../probes/queue-names.js";

/** How a device is virtualized: an emulated real device, or one made for virtual machines (virtio). */
export type DeviceModel = "full" | "paravirtual";

export interface DeviceDescription {
  key: DeviceKey;
  model: DeviceModel;
  /** The hardware or virtio device it is. */
  name: string;
  /** What the guest sees. */
  guestDevice: string;
  /** The Linux driver (source path). */
  guestDriver: string;
  /** How the driver reaches the device: each access below is a VM exit. */
  access: string;
  /** v86's model of the device (source path in v86). */
  deviceModel: string;
  /** Where the data ends up on the host. */
  hostBackend: string;
  /** Port ranges as the BIOS/guest place them by default (PCI BARs can move; probes follow them). */
  ports: string;
  irq: string;
  queues: QueueDescription[];
}

export const DEVICES: Record<Exclude<DeviceKey, "platform">, DeviceDescription> = {
  uart: {
    key: "uart",
    model: "full",
    name: "8250/16550A UART (COM1)",
    guestDevice: "/dev/ttyS0",
    guestDriver: "8250 serial (drivers/tty/serial/8250)",
    access: "OUT to THR per byte; IN from LSR/IIR per interrupt",
    deviceModel: "src/uart.js",
    hostBackend: "serial0-output-byte → console",
    ports: "0x3F8–0x3FF",
    irq: "IRQ 4 (ISA)",
    queues: [],
  },
  "virtio-console": {
    key: "virtio-console",
    model: "paravirtual",
    name: "virtio-console (PCI 1af4:1043)",
    guestDevice: "/dev/hvc0",
    guestDriver: "virtio_console (drivers/char/virtio_console.c)",
    access: "buffers in transmitq; one notify write per batch",
    deviceModel: "src/virtio_console.js",
    hostBackend: "virtio-console0-output-bytes → console",
    ports: "BAR0 common cfg, BAR1 notify, BAR2 ISR",
    irq: "PCI INTx (shared ISA line)",
    queues: VIRTIO_QUEUES["virtio-console"],
  },
  ne2k: {
    key: "ne2k",
    model: "full",
    name: "NE2000 (RTL8029, PCI 10ec:8029)",
    guestDevice: "eth0",
    guestDriver: "ne2k-pci (drivers/net/ethernet/8390/ne2k-pci.c)",
    access: "remote DMA: OUTSW/OUTSL of every frame through the data port, plus page/command registers",
    deviceModel: "src/ne2k.js",
    hostBackend: "net0-send / net0-receive → virtual switch",
    ports: "BAR0: 32 ports (0x300 by default)",
    irq: "PCI INTx (shared ISA line)",
    queues: [],
  },
  "virtio-net": {
    key: "virtio-net",
    model: "paravirtual",
    name: "virtio-net (PCI 1af4:1041)",
    guestDevice: "eth0",
    guestDriver: "virtio_net (drivers/net/virtio_net.c)",
    access: "frames in transmitq/receiveq; one notify write per kick",
    deviceModel: "src/virtio_net.js",
    hostBackend: "net0-send / net0-receive → virtual switch",
    ports: "BAR0 common cfg, BAR1 notify, BAR2 ISR, BAR3 config",
    irq: "PCI INTx (shared ISA line)",
    queues: VIRTIO_QUEUES["virtio-net"],
  },
  ide: {
    key: "ide",
    model: "full",
    name: "PIIX IDE controller (ATA/ATAPI)",
    guestDevice: "/dev/sda (disk), /dev/sr0 (CD-ROM)",
    guestDriver: "ata_piix (drivers/ata/ata_piix.c)",
    access: "task-file registers per command, then PIO words or bus-master DMA",
    deviceModel: "src/ide.js",
    hostBackend: "disk image buffer",
    ports: "0x1F0–0x1F7, 0x3F6 (primary), 0x170–0x177, 0x376 (secondary), bus master 0xB400",
    irq: "IRQ 14/15 (ISA)",
    queues: [],
  },
  "virtio-9p": {
    key: "virtio-9p",
    model: "paravirtual",
    name: "virtio-9p (PCI 1af4:1049, tag host9p)",
    guestDevice: "/mnt/host",
    guestDriver: "9pnet_virtio + 9p (net/9p, fs/9p)",
    access: "9P2000.L requests in requestq; one notify write per request",
    deviceModel: "lib/9p.js",
    hostBackend: "in-memory file system",
    ports: "BAR0 common cfg, BAR1 notify, BAR2 ISR, BAR3 config",
    irq: "PCI INTx (shared ISA line)",
    queues: VIRTIO_QUEUES["virtio-9p"],
  },
  "virtio-balloon": {
    key: "virtio-balloon",
    model: "paravirtual",
    name: "virtio-balloon (PCI 1af4:1045)",
    guestDevice: "(driver only)",
    guestDriver: "virtio_balloon (drivers/virtio/virtio_balloon.c)",
    access: "page frame numbers in inflateq/deflateq",
    deviceModel: "src/virtio_balloon.js",
    hostBackend: "hypervisor memory budget",
    ports: "BAR0 common cfg, BAR1 notify, BAR2 ISR, BAR3 config",
    irq: "PCI INTx (shared ISA line)",
    queues: VIRTIO_QUEUES["virtio-balloon"],
  },
};

export type PairId = "console" | "network" | "storage" | "memory";

/** The same kind of I/O through full virtualization and through paravirtualization. */
export interface DevicePair {
  id: PairId;
  /** The emulated device (none for memory: the balloon has no emulated counterpart). */
  full?: Exclude<DeviceKey, "platform">;
  paravirtual: Exclude<DeviceKey, "platform">;
}

export const DEVICE_PAIRS: readonly DevicePair[] = [
  { id: "console", full: "uart", paravirtual: "virtio-console" },
  { id: "network", full: "ne2k", paravirtual: "virtio-net" },
  { id: "storage", full: "ide", paravirtual: "virtio-9p" },
  { id: "memory", paravirtual: "virtio-balloon" },
];
