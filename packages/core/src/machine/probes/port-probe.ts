/**
 * Counts every port-I/O access of one emulator, by port and width: the analogue of KVM's
 * IO_INSTRUCTION exits. v86's interpreter and JIT both reach devices through
 * `cpu.io.port_read8/16/32` and `port_write8/16/32`, and its wasm imports look these up on
 * every call, so overriding them on the one `io` instance sees every exit.
 *
 * An exit costs about 0.65 µs; the probe adds one typed-array increment to it. Attribution to
 * devices happens only when the counts are read (see device-probe.ts). When off, the
 * overrides are removed and v86's own methods run untouched.
 */
import { unshadow, type PortIo } from "../v86-internals.js";

/** Access kinds, in the order of `WidthCounts`. */
export const READ8 = 0;
export const READ16 = 1;
export const READ32 = 2;
export const WRITE8 = 3;
export const WRITE16 = 4;
export const WRITE32 = 5;
export const KINDS = 6;
export const PORTS = 65536;
/** Bytes carried by one access of each kind. */
export const KIND_BYTES = [1, 2, 4, 1, 2, 4] as const;

const METHODS = ["port_read8", "port_read16", "port_read32", "port_write8", "port_write16", "port_write32"] as const;

export class PortProbe {
  /** `counts[kind * PORTS + port]`: accesses since the last `clear()`. */
  readonly counts = new Uint32Array(KINDS * PORTS);
  private io?: PortIo;

  get installed(): boolean {
    return this.io !== undefined;
  }

  install(io: PortIo): void {
    if (this.io) return;
    this.io = io;
    const c = this.counts;
    const proto = Object.getPrototypeOf(io) as PortIo;
    const r8 = proto.port_read8;
    const r16 = proto.port_read16;
    const r32 = proto.port_read32;
    const w8 = proto.port_write8;
    const w16 = proto.port_write16;
    const w32 = proto.port_write32;
    // Own properties shadow the prototype's methods; deleting them restores v86 exactly.
    io.port_read8 = (port) => {
      c[port]++;
      return r8.call(io, port);
    };
    io.port_read16 = (port) => {
      c[PORTS + port]++;
      return r16.call(io, port);
    };
    io.port_read32 = (port) => {
      c[2 * PORTS + port]++;
      return r32.call(io, port);
    };
    io.port_write8 = (port, value) => {
      c[3 * PORTS + port]++;
      w8.call(io, port, value);
    };
    io.port_write16 = (port, value) => {
      c[4 * PORTS + port]++;
      w16.call(io, port, value);
    };
    io.port_write32 = (port, value) => {
      c[5 * PORTS + port]++;
      w32.call(io, port, value);
    };
  }

  uninstall(): void {
    const io = this.io;
    if (!io) return;
    unshadow(io, METHODS);
    this.io = undefined;
  }

  /** Accesses of `kind` to `port` since the last clear. */
  count(kind: number, port: number): number {
    return this.counts[kind * PORTS + port];
  }

  /** Calls `visit` for every (kind, port) with accesses, then clears the counts. */
  drain(visit: (kind: number, port: number, n: number) => void): void {
    const c = this.counts;
    for (let kind = 0; kind < KINDS; kind++) {
      const base = kind * PORTS;
      for (let port = 0; port < PORTS; port++) {
        const n = c[base + port];
        if (n !== 0) visit(kind, port, n);
      }
    }
    c.fill(0);
  }
}
