/**
 * When a guest's shell reads input: one rule per guest, used by `waitReady`, `exec`, the
 * guest's state (it is `booting` until readiness is known), the CLI and the app.
 */
import type { BootFiles } from "../images/catalog.js";

export type ReadyRule =
  /** The image prints this when its shell is up (the catalog's marker, or a user's pattern). */
  | { kind: "pattern"; pattern: RegExp; what: string }
  /** A user's kernel without a pattern: a shell prompt at the end of the output, then quiet. */
  | { kind: "prompt" }
  /** Nothing on a console can tell (a boot loader that shows only the VGA screen). */
  | { kind: "none"; reason: string };

/** A prompt at the end of what a console printed: "# ", "$ ", "> " (and a terminal query after it). */
// eslint-disable-next-line no-control-regex -- the query is ESC [6n
export const PROMPT_AT_END = /[#$>] (?:\x1b\[6n)?$/;
/** How long a prompt must stay the last thing printed before the shell counts as reading. */
export const PROMPT_QUIET_MS = 300;

export function readyRule(files: BootFiles): ReadyRule {
  if (files.readyPattern) return { kind: "pattern", pattern: new RegExp(files.readyPattern), what: files.readyPattern };
  if (files.readyMarker) {
    // The marker comes just before the shell starts; its prompt says it reads input.
    const source = escapeRegExp(files.readyMarker) + (files.prompt ? `[\\s\\S]*${escapeRegExp(files.prompt)}` : "");
    return { kind: "pattern", pattern: new RegExp(source), what: files.readyMarker };
  }
  if (files.bzimage) return { kind: "prompt" };
  return {
    kind: "none",
    reason: `it boots from a ${files.cdrom ? "CD" : "disk"} through a boot loader, which shows only the VGA screen; give the image a ready pattern if it prints a shell prompt on a console`,
  };
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
