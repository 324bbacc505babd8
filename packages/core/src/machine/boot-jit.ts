/**
 * v86's JIT while a guest boots.
 *
 * v86 translates an x86 page to a wasm module once its code has run ~200 k times, and V8 then
 * compiles that module, the larger ones with its optimising compiler (0.1–0.3 CPU-s each, on
 * background threads). Boot code mostly runs once, so for a boot that work costs more than it
 * saves. Measured with the default image (32 MiB, Node, 2 cores): a cold boot took 1.78 s and
 * 3.3 CPU-s with the JIT, 1.43 s and 1.4 CPU-s without; eight boots together 7.0 s and 5.9 s.
 *
 * So a guest whose image has a ready marker boots with the JIT off, and gets it back as soon
 * as the marker appears on a console (its shell is up: from then on loops are the user's) or,
 * should the marker never come, after BOOT_JIT_LIMIT guest instructions. A machine that starts
 * from a snapshot runs with the JIT from the start.
 */
import type { ConsoleKind } from "../spec.js";

/** Instructions after which the JIT comes back even without the marker (~10 default boots). */
export const BOOT_JIT_LIMIT = 500_000_000;

export class BootJit {
  private on = true;
  private executed = 0;
  /** The last characters of each console, enough to see the marker arrive across chunks. */
  private readonly tails: Record<ConsoleKind, string> = { serial: "", virtio: "" };

  constructor(
    private readonly setJit: (on: boolean) => void,
    private readonly marker: string,
    private readonly limit = BOOT_JIT_LIMIT,
  ) {}

  /** Switches the JIT off for a boot (a cold boot or a reset). */
  booting(): void {
    this.executed = 0;
    this.tails.serial = this.tails.virtio = "";
    this.set(false);
  }

  /** Switches the JIT on now (a restored state, a marker, the limit). */
  done(): void {
    this.set(true);
  }

  get jit(): boolean {
    return this.on;
  }

  /** Output the guest wrote: a byte (UART) or a buffer (virtio). */
  output(console: ConsoleKind, output: number | Uint8Array): void {
    if (this.on) return;
    const text = typeof output === "number" ? String.fromCharCode(output) : latin1(output);
    const tail = this.tails[console] + text;
    if (tail.includes(this.marker)) this.done();
    else this.tails[console] = tail.slice(Math.max(0, tail.length - (this.marker.length - 1)));
  }

  /** Instructions executed in a slice. */
  executedInstructions(count: number): void {
    if (this.on) return;
    this.executed += count;
    if (this.executed >= this.limit) this.done();
  }

  private set(on: boolean): void {
    if (on === this.on) return;
    this.on = on;
    this.setJit(on);
  }
}

function latin1(bytes: Uint8Array): string {
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return text;
}
