import { HyperlabError, type ConsoleKind, type Guest } from "@hyperlab/core";

/**
 * Images users bring have no ready marker in the catalog: take our marker or a prompt at the
 * end of the output ("# ", "$ ", "> ") as the sign that a shell reads input.
 */
const PROMPT = /hyperlab: ready|[#$>] $/;

/** Resolves when the guest's shell reads input on `console`. */
export async function waitShell(guest: Guest, console: ConsoleKind, timeoutMs: number): Promise<void> {
  if (guest.files.readyMarker) return guest.waitReady({ console, timeoutMs });
  try {
    await guest.waitFor(PROMPT, { console, from: 0, timeoutMs });
  } catch (error) {
    if (error instanceof HyperlabError && error.code === "boot-timeout")
      throw new HyperlabError(
        "boot-timeout",
        `Guest "${guest.name}" showed no shell prompt on its ${console} console within ${Math.round(timeoutMs / 1000)} s. Last lines: ${guest.consoles[console].lastLines(5).join(" | ") || "(nothing)"}`,
        error.details,
      );
    throw error;
  }
}
