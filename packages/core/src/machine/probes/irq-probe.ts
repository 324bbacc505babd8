/**
 * Counts interrupts: rising edges per ISA/PIC line (devices call `cpu.device_raise_irq`) and
 * per PCI function (PCI devices call `pci.raise_irq(pci_id)`, which routes to a shared line).
 * A raise while the line is already up is the same interrupt, so only edges count.
 */
import { unshadow, type IrqCpu, type IrqPci } from "../v86-internals.js";

export const LINES = 24;

export class IrqProbe {
  readonly lines = new Uint32Array(LINES);
  readonly pci = new Uint32Array(256);
  private readonly lineUp = new Uint8Array(LINES);
  private readonly pciUp = new Uint8Array(256);
  private restore?: () => void;

  get installed(): boolean {
    return this.restore !== undefined;
  }

  install(cpu: IrqCpu, pci: IrqPci): void {
    if (this.restore) return;
    const { lines, lineUp, pciUp } = this;
    const pciCounts = this.pci;
    // device_raise_irq/lower_irq are wasm exports set on the cpu instance (no `this` needed).
    const raise = cpu.device_raise_irq;
    const lower = cpu.device_lower_irq;
    cpu.device_raise_irq = (line) => {
      if (line < LINES && lineUp[line] === 0) {
        lineUp[line] = 1;
        lines[line]++;
      }
      raise(line);
    };
    cpu.device_lower_irq = (line) => {
      if (line < LINES) lineUp[line] = 0;
      lower(line);
    };
    const pciOwn = Object.prototype.hasOwnProperty.call(pci, "raise_irq");
    const pciRaise = pci.raise_irq;
    const pciLower = pci.lower_irq;
    pci.raise_irq = function (this: IrqPci, id: number) {
      if (pciUp[id & 255] === 0) {
        pciUp[id & 255] = 1;
        pciCounts[id & 255]++;
      }
      pciRaise.call(this, id);
    };
    pci.lower_irq = function (this: IrqPci, id: number) {
      pciUp[id & 255] = 0;
      pciLower.call(this, id);
    };
    this.restore = () => {
      cpu.device_raise_irq = raise;
      cpu.device_lower_irq = lower;
      if (pciOwn) {
        pci.raise_irq = pciRaise;
        pci.lower_irq = pciLower;
      } else unshadow(pci, ["raise_irq", "lower_irq"]);
    };
  }

  uninstall(): void {
    this.restore?.();
    this.restore = undefined;
    this.lineUp.fill(0);
    this.pciUp.fill(0);
  }

  clear(): void {
    this.lines.fill(0);
    this.pci.fill(0);
  }
}
