/** What the lab specs do to and read from the page, as a user would. */
import type { Locator, Page } from "@playwright/test";

/** Errors the page logs or throws; the test fails on any. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(`console: ${message.text()}`);
  });
  page.on("pageerror", (error) => errors.push(`pageerror: ${error.message}`));
  return errors;
}

export const row = (page: Page, name: string) => page.locator(`tr[data-guest="${name}"]`);
export const consoleOf = (page: Page, name: string) => page.locator(`section[data-console="${name}"]`);

/** The text an xterm shows (its DOM renderer's rows), with non-breaking spaces made plain. */
export function terminalText(card: Locator): Promise<string> {
  return card.locator(".xterm-rows").evaluate((rows) =>
    [...rows.children]
      .map((r) => r.textContent ?? "")
      .join("\n")
      .replace(/\u00a0/g, " "),
  );
}

/** Clicks into a console (as a user would) and types a line. */
export async function typeLine(page: Page, card: Locator, line: string): Promise<void> {
  await card.locator(".xterm-screen").click();
  await page.keyboard.type(line);
  await page.keyboard.press("Enter");
}
