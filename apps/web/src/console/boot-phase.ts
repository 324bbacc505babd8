/**
 * Where a booting guest is, told from what it prints on its consoles:
 *   bios   – powered on, nothing from the kernel yet (SeaBIOS speaks to the VGA screen, not the UART);
 *   kernel – the kernel prints (its "Linux version" banner, or any text on a quiet boot);
 *   init   – the kernel handed over to userspace ("Run /init as init process", "Freeing unused kernel");
 *   shell  – the image's ready marker: a shell reads input.
 */
export const BOOT_PHASES = ["bios", "kernel", "init", "shell"] as const;
export type BootPhase = (typeof BOOT_PHASES)[number];

const KERNEL = /SeaBIOS|Linux version \d|Booting the kernel|Decompressing Linux|\[\s*\d+\.\d{6}\]/;
const INIT = /Run \S+ as init process|Freeing unused kernel|Starting init|\binit started\b/;

/** The later of two phases: a guest never goes back except by rebooting. */
function later(a: BootPhase, b: BootPhase): BootPhase {
  return BOOT_PHASES.indexOf(a) >= BOOT_PHASES.indexOf(b) ? a : b;
}

/** The phase after seeing `text` (console output, any amount) in phase `current`. */
export function nextPhase(current: BootPhase, text: string, readyMarker?: string): BootPhase {
  if (current === "shell") return current;
  if (readyMarker && text.includes(readyMarker)) return "shell";
  if (INIT.test(text)) return later(current, "init");
  // The kernel (or SeaBIOS when it is told to use the UART) owns the console once anything appears.
  if (KERNEL.test(text) || text.trim()) return later(current, "kernel");
  return current;
}

/**
 * Follows the phase across chunks of output: a marker split between two chunks is still seen,
 * and only a short tail of old text is looked at again, whatever the amount of output.
 */
export class BootPhaseTracker {
  phase: BootPhase = "bios";
  private tail = "";

  constructor(private readonly readyMarker?: string) {}

  feed(chunk: string): BootPhase {
    const text = this.tail + chunk;
    this.phase = nextPhase(this.phase, text, this.readyMarker);
    this.tail = text.slice(-64);
    return this.phase;
  }

  reset(): void {
    this.phase = "bios";
    this.tail = "";
  }
}
