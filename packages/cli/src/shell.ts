import type { ConsoleKind, Guest } from "@hyperlab/core";

/**
 * Resolves when the guest's shell reads input on `console`: the core's one readiness rule
 * (the image's marker, the user's pattern, or a prompt that stays quiet; see guest/readiness.ts).
 */
export function waitShell(guest: Guest, console: ConsoleKind, timeoutMs: number): Promise<void> {
  return guest.waitReady({ console, timeoutMs });
}
