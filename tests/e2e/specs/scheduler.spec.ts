import { expect, test } from "@playwright/test";

const SHOTS = new URL("../screenshots/", import.meta.url).pathname;

test("the scheduler view: a noisy neighbour is held to its cap, the other guest keeps answering", async ({ page }) => {
  const errors: string[] = [];
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto("/");
  await page.evaluate(async () => {
    for (const name of ["busy", "quiet"]) {
      const guest = await window.hyperlab.create({ name, image: "linux", memoryMiB: 32, console: "serial" });
      await guest.start();
    }
    await Promise.all(window.hyperlab.guests.map((g) => g.waitReady()));
  });

  await page.getByRole("button", { name: "CPU scheduler" }).click();
  const busy = page.locator('tr[data-guest="busy"]');
  await expect(busy).toBeVisible();

  // Cap "busy" at 25% of a core with its slider, then make it spin from the view.
  const cap = busy.getByRole("slider", { name: "CPU cap of busy, percent of one core" });
  await cap.focus();
  for (let i = 0; i < 5; i++) await cap.press("ArrowRight");
  await expect(busy.locator("output")).toHaveText("25%");
  await busy.getByRole("button", { name: "Spin the CPU" }).click();
  await expect(busy.getByRole("button", { name: "Stop spinning" })).toBeVisible();

  // The guest really spins and the scheduler's share holds it near its cap.
  await expect
    .poll(() => page.evaluate(() => window.hyperlab.get("busy").metrics?.cpuPercent ?? 0), { timeout: 30_000 })
    .toBeGreaterThan(5);
  expect(await page.evaluate(() => window.hyperlab.get("busy").share)).toBeCloseTo(0.25);
  const samples: number[] = [];
  for (let i = 0; i < 8; i++) {
    await page.waitForTimeout(500);
    samples.push(await page.evaluate(() => window.hyperlab.get("busy").metrics?.cpuPercent ?? 0));
  }
  samples.sort((a, b) => a - b);
  expect(samples[Math.floor(samples.length / 2)]).toBeLessThan(40);

  // The quiet neighbour still answers at once.
  const answer = await page.evaluate(
    async () => (await window.hyperlab.get("quiet").exec("echo quiet-$((3*3))")).output,
  );
  expect(answer).toBe("quiet-9\n");
  await expect(page.getByRole("img", { name: /CPU use of each guest/ })).toBeVisible();
  await page.screenshot({ path: `${SHOTS}scheduler.png` });

  await busy.getByRole("button", { name: "Stop spinning" }).click();
  await page.evaluate(() => window.hyperlab.shutdown());
  expect(errors).toEqual([]);
});
