/** Cuts a byte stream into whole lines (each with its "\n"), for passing a pipe through line by line. */
export class LineBuffer {
  private partial: number[] = [];

  /** The complete lines in `bytes` (plus what came before); the rest waits for its newline. */
  push(bytes: Uint8Array): Uint8Array[] {
    const lines: Uint8Array[] = [];
    for (const byte of bytes) {
      this.partial.push(byte);
      if (byte === 0x0a) {
        lines.push(Uint8Array.from(this.partial));
        this.partial = [];
      }
    }
    return lines;
  }

  /** What is left when the input ends, if anything. */
  rest(): Uint8Array | undefined {
    if (this.partial.length === 0) return undefined;
    const rest = Uint8Array.from(this.partial);
    this.partial = [];
    return rest;
  }
}
