import { expect, test, type Page } from "@playwright/test";
import { consoleOf, row, terminalText, typeLine, watchErrors } from "./page.js";

const SHOTS = new URL("../screenshots/", import.meta.url).pathname;
const BOOT_TIMEOUT = 90_000;

async function launch(page: Page, options: { count?: number; flavor?: string; model?: string } = {}) {
  await page.getByRole("button", { name: "Launch instances" }).click();
  const dialog = page.getByRole("dialog", { name: "Launch instances" });
  await expect(dialog).toBeVisible();
  if (options.flavor) await dialog.getByRole("radio", { name: new RegExp(`^${options.flavor}`) }).check();
  if (options.model) await dialog.getByRole("radio", { name: new RegExp(`^${options.model}`) }).check();
  if (options.count) await dialog.getByRole("spinbutton", { name: "Count" }).fill(String(options.count));
  await dialog.getByRole("button", { name: "Launch", exact: true }).click();
  await expect(dialog).toBeHidden({ timeout: 30_000 });
}

test.beforeEach(async ({ page }) => {
  // Start in English whatever the browser's language; the test switches to Russian itself.
  await page.addInitScript(() => {
    if (!sessionStorage.getItem("e2e-started")) {
      sessionStorage.setItem("e2e-started", "1");
      localStorage.setItem("hyperlab.lang", "en");
    }
  });
});

test("two guests side by side: consoles, pause, resume, terminate, a bad image, Russian", async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Instances" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Launch instances" })).toBeEnabled();

  // Two guests: one on emulated hardware (UART), one paravirtual (virtio console).
  await launch(page, { flavor: "nano", model: "Full virtualization" });
  await launch(page, { flavor: "micro", model: "Paravirtual" });
  for (const name of ["vm-1", "vm-2"])
    await expect(row(page, name).locator(".badge")).toHaveText("running", { timeout: BOOT_TIMEOUT });
  await expect(page.getByTestId("running-count")).toHaveText("2");
  await expect(row(page, "vm-2").getByRole("cell", { name: "micro" })).toBeVisible();

  const one = consoleOf(page, "vm-1");
  const two = consoleOf(page, "vm-2");
  await typeLine(page, one, "echo hello-$((6*7))");
  await expect.poll(() => terminalText(one)).toContain("hello-42");
  await typeLine(page, two, "echo hello-$((7*7))");
  await expect.poll(() => terminalText(two)).toContain("hello-49");
  await expect(two.getByRole("tab", { name: "virtio (hvc0)" })).toHaveAttribute("aria-selected", "true");
  // Metrics arrive for running guests; with them, how v86 runs each one's code: vm-2 booted
  // cold (no ready snapshot for 64 MiB) in the interpreter and runs with the JIT since its shell.
  await expect(row(page, "vm-1").locator("td.num").nth(2)).not.toHaveText("—", { timeout: 10_000 });
  for (const card of [one, two]) await expect(card.locator(".cpu-mode")).toHaveText("JIT", { timeout: 10_000 });
  await page.screenshot({ path: `${SHOTS}dashboard-two-guests.png` });
  await one.screenshot({ path: `${SHOTS}console.png` });

  // Paused: vm-1 stops answering while vm-2 answers; on resume it answers what was typed.
  await page.getByRole("button", { name: "Pause vm-1" }).click();
  await expect(row(page, "vm-1").locator(".badge")).toHaveText("paused");
  await expect(page.getByRole("button", { name: "Resume vm-1" })).toBeEnabled();
  await expect(page.getByRole("button", { name: "Pause vm-1" })).toBeDisabled();
  await typeLine(page, one, "echo after-$((2*5))");
  await typeLine(page, two, "echo other-$((3*3))");
  await expect.poll(() => terminalText(two)).toContain("other-9");
  await page.waitForTimeout(1500);
  expect(await terminalText(one)).not.toContain("after-10");
  await page.getByRole("button", { name: "Resume vm-1" }).click();
  await expect(row(page, "vm-1").locator(".badge")).toHaveText("running");
  await expect.poll(() => terminalText(one)).toContain("after-10");

  // Terminate: the guest leaves the table and its console closes.
  await page.getByRole("button", { name: "Terminate vm-2" }).click();
  await expect(row(page, "vm-2")).toHaveCount(0);
  await expect(two).toHaveCount(0);
  await expect(page.getByTestId("running-count")).toHaveText("1");

  // A file that is no bootable image is refused with a readable sentence.
  await page.getByRole("button", { name: "Launch instances" }).click();
  const dialog = page.getByRole("dialog", { name: "Launch instances" });
  await dialog.getByLabel("Image file").setInputFiles({
    name: "notes.txt",
    mimeType: "text/plain",
    buffer: Buffer.from("These are my notes, not a kernel.\n"),
  });
  await dialog.getByRole("button", { name: "Launch", exact: true }).click();
  const error = dialog.getByTestId("launch-error");
  await expect(error).toContainText("Not a bootable image");
  await expect(error).toContainText("notes.txt is not a bootable image");
  await page.screenshot({ path: `${SHOTS}bad-image.png` });
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toBeHidden();
  await expect(row(page, "notes.txt")).toHaveCount(0);

  // Russian, remembered across a reload.
  await page.getByRole("button", { name: "Switch the interface to Russian" }).click();
  await expect(page.getByRole("heading", { name: "Машины" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Запустить машины" })).toBeVisible();
  await expect(row(page, "vm-1").locator(".badge")).toHaveText("работает");
  await expect(page.getByRole("button", { name: "Приостановить: vm-1" })).toBeEnabled();
  await expect(page.locator("html")).toHaveAttribute("lang", "ru");
  await page.screenshot({ path: `${SHOTS}russian.png` });
  await page.reload();
  await expect(page.getByRole("heading", { name: "Машины" })).toBeVisible();

  // A refusal reads in Russian too: the sentence is built from the error's details.
  await page.getByRole("button", { name: "Запустить машины" }).click();
  const ru = page.getByRole("dialog", { name: "Запуск машин" });
  await ru.getByLabel("Имя").fill("my vm");
  await ru.getByRole("button", { name: "Запустить", exact: true }).click();
  await expect(ru.getByTestId("launch-error")).toContainText("«my vm» не годится как имя машины");
  await page.screenshot({ path: `${SHOTS}russian-error.png` });
  await ru.getByRole("button", { name: "Отмена" }).click();
  await expect(row(page, "my vm")).toHaveCount(0);

  expect(errors).toEqual([]);
});

test("window.hyperlab is the hypervisor, and the page follows what scripts do", async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto("/");
  await expect(page.getByRole("button", { name: "Launch instances" })).toBeEnabled();

  await page.evaluate(async () => {
    const guest = await window.hyperlab.create({ name: "api-1", image: "linux", memoryMiB: 32, console: "serial" });
    await guest.start();
  });
  await expect(row(page, "api-1")).toBeVisible();
  await expect(row(page, "api-1").locator(".badge")).toHaveText("running", { timeout: BOOT_TIMEOUT });
  const output = await page.evaluate(async () => (await window.hyperlab.get("api-1").exec("echo api-$((2+3))")).output);
  expect(output.trim()).toBe("api-5");

  await page.evaluate(() => window.hyperlab.get("api-1").pause());
  await expect(row(page, "api-1").locator(".badge")).toHaveText("paused");
  await page.evaluate(() => window.hyperlab.get("api-1").terminate());
  await expect(row(page, "api-1")).toHaveCount(0);
  expect(await page.evaluate(() => window.hyperlab.memory().usedMiB)).toBe(0);

  expect(errors).toEqual([]);
});
