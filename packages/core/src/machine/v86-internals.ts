/**
 * The one place that imports v86 and the one place that reaches past its public API.
 * v86's typings (v86.d.ts) describe the `V86` class only; the hypervisor also hooks the CPU's
 * main loop, its port I/O and interrupt lines, and reads device state. Those are v86's
 * internals: the npm build keeps their property names (v86 0.5.462, see its src/*.js), but
 * nothing checks them, so their shape is written down here once and `internals()` is the
 * only cast from the public type to it.
 */
import type { V86 } from "v86";

export { V86, type V86Options } from "v86";

/** `cpu.io`: every port access of the interpreter and the JIT goes through these (src/io.js). */
export interface PortIo {
  port_read8(port: number): number;
  port_read16(port: number): number;
  port_read32(port: number): number;
  port_write8(port: number, value: number): void;
  port_write16(port: number, value: number): void;
  port_write32(port: number, value: number): void;
}

/** ISA/PIC interrupt lines: wasm exports set on the cpu instance (no `this` needed). */
export interface IrqCpu {
  device_raise_irq(line: number): void;
  device_lower_irq(line: number): void;
}

/** PCI interrupts, by function (src/pci.js): routed to a shared ISA line. */
export interface IrqPci {
  raise_irq(pciId: number): void;
  lower_irq(pciId: number): void;
}

/** A virtio queue (src/virtio.js). */
export interface VirtQueue {
  size: number;
  enabled: boolean;
  notify_offset: number;
  avail_addr: number;
  used_addr: number;
  avail_get_idx(): number;
  used_get_idx(): number;
  /** Whether the driver has posted a buffer the device could fill. */
  has_request(): boolean;
}

/** The virtio transport every virtio device has as `.virtio` (src/virtio.js). */
export interface VirtIO {
  pci_id: number;
  queues: VirtQueue[];
  device_status: number;
  notify_config_changes(): void;
}

/** `cpu.devices`: the devices the machine hooks or reads; absent ones are not configured. */
export interface V86Devices {
  /** `device_spaces[pci_id]`: the function's config space as dwords (BARs from index 4). */
  pci: IrqPci & { device_spaces: (Int32Array | undefined)[] };
  uart0?: { irq: number };
  virtio_console?: { virtio: VirtIO };
  /** NE2000: `mac` is what PAR0–5 hold; the station address PROM is the first 12 bytes of `memory` (each byte twice). */
  net?: { pci_id: number; mac: Uint8Array; memory: Uint8Array };
  /** virtio-net: `mac` and `status` (bit 0: link up) are read through the device config space. */
  virtio_net?: { virtio: VirtIO; mac: Uint8Array; status: number };
  ide?: { primary?: { irq: number }; secondary?: { irq: number } };
  virtio_9p?: { virtio: VirtIO };
  virtio_balloon?: {
    virtio: VirtIO;
    /** Pages the host asked for, and pages the guest's driver has given. */
    num_pages: number;
    actual: number;
    Inflate(pages: number): void;
    Deflate(pages: number): void;
  };
}

export interface V86Cpu extends IrqCpu {
  /** Runs one slice; returns the delay v86 wants before the next one. */
  main_loop(): number;
  /** v86's JIT switches; index 0 is "JIT disabled". */
  set_jit_config(index: number, value: number): void;
  io: PortIo & { ports: { device?: object }[] };
  devices: V86Devices;
}

/** Listeners by any event name, as the probes subscribe them (the public type allows known names only). */
export interface V86Listeners {
  add_listener(name: string, listener: (value: never) => void): void;
  remove_listener(name: string, listener: (value: never) => void): void;
}

export interface V86Internals extends V86Listeners {
  v86: {
    /** Schedules the next slice after `delayMs`. */
    yield(delayMs: number, tick: number): void;
    cpu: V86Cpu;
  };
  /** The emulator's bus: device events the public API has no method for. */
  bus: { send(name: string, value: unknown): void };
}

/** The emulator's internals (the same object, typed). The only cast of a v86 object. */
export function internals(emulator: V86): V86Internals {
  return emulator as unknown as V86Internals;
}

/**
 * Removes own properties that shadow methods of the object's prototype: how a probe takes
 * its overrides off, leaving v86's own methods exactly as they were.
 */
export function unshadow(target: object, names: readonly string[]): void {
  for (const name of names) Reflect.deleteProperty(target, name);
}
