import { readFileSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { consoleOf, row, terminalText, typeLine, watchErrors } from "./page.js";

const KERNEL = new URL("../../../images/linux/bzImage", import.meta.url).pathname;

test.beforeEach(async ({ page }) => {
  await page.addInitScript(() => {
    localStorage.setItem("hyperlab.lang", "en");
    // Anything the Content Security Policy blocks, as the page sees it.
    const blocked: string[] = [];
    (window as unknown as { cspBlocked: string[] }).cspBlocked = blocked;
    document.addEventListener("securitypolicyviolation", (e) => blocked.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
});

test("a user's kernel boots under the page's Content Security Policy, and its bytes never leave the browser", async ({
  page,
  context,
  baseURL,
}) => {
  const errors = watchErrors(page);
  const requests: { url: string; method: string; body: boolean }[] = [];
  // Every request of the page and its workers.
  context.on("request", (request) =>
    requests.push({ url: request.url(), method: request.method(), body: request.postDataBuffer() !== null }),
  );
  await page.goto("/");
  const policy = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute("content");
  expect(policy).toContain("script-src 'self' blob: 'wasm-unsafe-eval'");
  expect(policy).not.toContain("'unsafe-eval'");

  await page.getByRole("button", { name: "Launch instances" }).click();
  const dialog = page.getByRole("dialog", { name: "Launch instances" });
  await dialog.getByLabel("Image file").setInputFiles({
    name: "my-kernel.bin",
    mimeType: "application/octet-stream",
    buffer: readFileSync(KERNEL),
  });
  await dialog.getByRole("button", { name: "Launch", exact: true }).click();
  await expect(dialog).toBeHidden({ timeout: 30_000 });
  // The first guest of the page is vm-1; the file has no ready marker, so it runs once its prompt has settled.
  await expect(row(page, "vm-1")).toContainText("running", { timeout: 90_000 });
  const card = consoleOf(page, "vm-1");
  await typeLine(page, card, "uname -r");
  await expect.poll(() => terminalText(card), { timeout: 30_000 }).toMatch(/\n6\.1\.\d+/);

  const origin = new URL(baseURL!).origin;
  // blob: URLs are the page's own objects (their origin is the page's); data: URLs carry their bytes.
  const elsewhere = requests.filter((r) => !r.url.startsWith("data:") && new URL(r.url).origin !== origin);
  expect(elsewhere).toEqual([]);
  expect(requests.filter((r) => r.body || !["GET", "HEAD"].includes(r.method))).toEqual([]);
  expect(await page.evaluate(() => (window as unknown as { cspBlocked: string[] }).cspBlocked)).toEqual([]);
  expect(errors).toEqual([]);
});
