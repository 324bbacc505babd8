import type { ConsoleKind } from "../spec.js";

/** How much text of each console a guest keeps (for late viewers and error reports). */
const HISTORY_CHARS = 256 * 1024;

interface Waiter {
  pattern: RegExp;
  from: number;
  resolve(match: RegExpExecArray): void;
  reject(error: Error): void;
}

/**
 * The text a guest printed on one console: a bounded history plus waiters that resolve when
 * a pattern appears. Positions are absolute character offsets, so history can be trimmed.
 */
export class ConsoleLog {
  private text = "";
  private trimmed = 0;
  private readonly decoder = new TextDecoder();
  private readonly waiters = new Set<Waiter>();

  constructor(readonly kind: ConsoleKind) {}

  /** Absolute offset of the end of what has been printed so far. */
  get end(): number {
    return this.trimmed + this.text.length;
  }

  append(bytes: Uint8Array): string {
    const chunk = this.decoder.decode(bytes, { stream: true });
    this.text += chunk;
    if (this.text.length > HISTORY_CHARS * 2) {
      const cut = this.text.length - HISTORY_CHARS;
      this.text = this.text.slice(cut);
      this.trimmed += cut;
    }
    for (const waiter of [...this.waiters]) this.check(waiter);
    return chunk;
  }

  /** Drops what was printed from `from` to `to` (absolute offsets; only text still kept). */
  cut(from: number, to: number): void {
    const start = Math.max(0, from - this.trimmed);
    this.text = this.text.slice(0, start) + this.text.slice(Math.max(start, to - this.trimmed));
  }

  history(): string {
    return this.text;
  }

  since(from: number): string {
    return this.text.slice(Math.max(0, from - this.trimmed));
  }

  /** The last `n` non-empty lines, for error messages. */
  lastLines(n = 10): string[] {
    return this.text
      .replace(/\r/g, "")
      .split("\n")
      .filter((line) => line.trim())
      .slice(-n);
  }

  private check(waiter: Waiter): void {
    const text = this.since(waiter.from);
    waiter.pattern.lastIndex = 0;
    const match = waiter.pattern.exec(text);
    if (match) {
      this.waiters.delete(waiter);
      match.index += Math.max(this.trimmed, waiter.from);
      waiter.resolve(match);
    }
  }

  /** Resolves with the first match of `pattern` printed at or after `from`; `cancel` rejects it. */
  waitFor(pattern: RegExp, from: number): { promise: Promise<RegExpExecArray>; cancel(error: Error): void } {
    let waiter!: Waiter;
    const promise = new Promise<RegExpExecArray>((resolve, reject) => {
      waiter = { pattern: new RegExp(pattern.source, pattern.flags.replace("g", "")), from, resolve, reject };
    });
    this.waiters.add(waiter);
    this.check(waiter);
    return {
      promise,
      cancel: (error) => {
        if (this.waiters.delete(waiter)) waiter.reject(error);
      },
    };
  }

  /** Rejects every pending wait (the guest stopped, crashed or was terminated). */
  cancelAll(error: Error): void {
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const waiter of waiters) waiter.reject(error);
  }
}
