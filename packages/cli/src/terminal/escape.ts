/** Ctrl-A: the escape key of qemu -nographic and screen, so Ctrl-C can still reach the guest. */
export const CTRL_A = 0x01;

export type EscapeAction = "quit" | "help";

export interface Filtered {
  /** The bytes meant for the guest. */
  bytes: Uint8Array;
  actions: EscapeAction[];
}

/**
 * Takes the escape sequences out of what is typed: Ctrl-A x quits, Ctrl-A h asks for help,
 * Ctrl-A Ctrl-A sends one Ctrl-A, any other Ctrl-A combination is dropped. A Ctrl-A at the
 * end of a chunk waits for the next chunk.
 */
export class EscapeFilter {
  private pending = false;

  feed(chunk: Uint8Array): Filtered {
    const bytes: number[] = [];
    const actions: EscapeAction[] = [];
    for (const byte of chunk) {
      if (!this.pending) {
        if (byte === CTRL_A) this.pending = true;
        else bytes.push(byte);
        continue;
      }
      this.pending = false;
      if (byte === CTRL_A) bytes.push(CTRL_A);
      else if (byte === 0x78 || byte === 0x58) actions.push("quit");
      else if (byte === 0x68 || byte === 0x48 || byte === 0x3f) actions.push("help");
    }
    return { bytes: Uint8Array.from(bytes), actions };
  }
}

export const ESCAPE_HELP =
  "Ctrl-A x  quit (the guest is terminated)\nCtrl-A Ctrl-A  send Ctrl-A\nCtrl-A h  this help\n";
