import { expect, test, type Page } from "@playwright/test";

const SHOTS = new URL("../screenshots/", import.meta.url).pathname;
const BOOT_TIMEOUT = 120_000;

type Lang = "en" | "ru";
const WORDS = {
  en: { nav: "Lessons", progress: (d: number, t: number) => `${d} of ${t} steps`, terminate: "Terminate api-1" },
  ru: { nav: "Уроки", progress: (d: number, t: number) => `шагов: ${d} из ${t}`, terminate: "Удалить: api-1" },
} as const;

function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (m) => m.type() === "error" && errors.push(`console: ${m.text()}`));
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  return errors;
}

/** Opens the app in `lang` with fresh lesson progress (kept across reloads within the test). */
async function open(page: Page, lang: Lang, lesson: string): Promise<void> {
  await page.addInitScript((lang) => {
    if (!sessionStorage.getItem("e2e-started")) {
      sessionStorage.setItem("e2e-started", "1");
      localStorage.setItem("hyperlab.lang", lang);
      localStorage.removeItem("hyperlab.lessons.v1");
    }
  }, lang);
  await page.goto("/");
  await page.getByRole("button", { name: WORDS[lang].nav, exact: true }).click();
  await page.locator(`button[data-lesson-link="${lesson}"]`).click();
  await expect(page.locator(`article[data-lesson="${lesson}"]`)).toBeVisible();
}

const step = (page: Page, id: string) => page.locator(`li[data-step="${id}"]`);
const labGuest = (page: Page, name: string) => page.locator(`li[data-lab-guest="${name}"]`);

/** Presses a step's Check and waits for the verdict. */
async function check(page: Page, id: string, expected: "pass" | "fail" | "needs", timeout = 60_000): Promise<string> {
  const card = step(page, id);
  await card.locator("button.check").click();
  await expect(card).not.toHaveAttribute("data-status", "running", { timeout });
  const text = (await card.getByTestId("step-result").textContent()) ?? "";
  expect(await card.getAttribute("data-status"), text).toBe(expected);
  return text;
}

/** Checks again (as a student would) until the step passes; the last verdict is the test's. */
async function checkUntilPass(page: Page, id: string, timeout = 30_000): Promise<void> {
  const until = Date.now() + timeout;
  const card = step(page, id);
  for (;;) {
    await card.locator("button.check").click();
    await expect(card).not.toHaveAttribute("data-status", "running", { timeout: 60_000 });
    if ((await card.getAttribute("data-status")) === "pass") return;
    if (Date.now() > until) break;
    await page.waitForTimeout(1000);
  }
  await check(page, id, "pass");
}

async function startLab(page: Page, guests: string[]): Promise<void> {
  await page.locator('button[data-action="start-lab"]').click();
  for (const name of guests)
    await expect(labGuest(page, name).locator(".badge")).toHaveAttribute("data-state", "running", {
      timeout: BOOT_TIMEOUT,
    });
  // Leases (for guests with a NIC) finish after the boot: the button is enabled again then.
  await expect(page.locator('button[data-action="start-lab"]')).toBeEnabled({ timeout: 60_000 });
}

async function typeIn(page: Page, guest: string, line: string): Promise<void> {
  const card = page.locator(`section[data-console="${guest}"]`);
  if (!(await card.count())) await labGuest(page, guest).locator('[data-action="console"]').click();
  await card.locator(".xterm-screen").click();
  await page.keyboard.type(line);
  await page.keyboard.press("Enter");
}

async function guestAction(page: Page, guest: string, action: string, state: string): Promise<void> {
  await labGuest(page, guest).locator(`[data-action="${action}"]`).click();
  await expect(labGuest(page, guest).locator(".badge")).toHaveAttribute("data-state", state, { timeout: BOOT_TIMEOUT });
}

for (const lang of ["en", "ru"] as const) {
  test(`lesson 2 in ${lang}: isolation, pause, reboot, cap and ping checked on real guests`, async ({ page }) => {
    test.setTimeout(300_000);
    const errors = watchErrors(page);
    await open(page, lang, "hypervisor");

    // A check that should fail does: no guests yet, and it says which are missing.
    expect(await check(page, "start", "fail")).toContain("alpha");
    await startLab(page, ["alpha", "beta"]);
    await check(page, "start", "pass");

    // Isolation: before the file exists the check fails, after it passes.
    expect(await check(page, "isolation", "fail")).toContain("/tmp/note");
    await typeIn(page, "alpha", "echo mine > /tmp/note");
    await checkUntilPass(page, "isolation");

    // Guests talk over the switch: a ping from alpha's console to beta's address.
    expect(await check(page, "talk", "fail")).toContain("ping");
    const to = await page.evaluate(() => window.hyperlab.network.addressOf("beta"));
    await typeIn(page, "alpha", `ping -c 3 ${to}`);
    await checkUntilPass(page, "talk");

    await guestAction(page, "alpha", "pause", "paused");
    await check(page, "pause", "pass");
    await guestAction(page, "alpha", "resume", "running");
    expect(await check(page, "reboot", "fail")).toMatch(/alpha/);
    await guestAction(page, "alpha", "reboot", "running");
    await check(page, "reboot", "pass");

    // Cap beta at 25% in the scheduler view and make it spin, then let the check watch 10 s.
    expect(await check(page, "cap", "fail")).toContain("25%");
    await page.locator("nav.views button").nth(1).click();
    const beta = page.locator('tr[data-guest="beta"]');
    const cap = beta.locator('input[type="range"]');
    await cap.focus();
    for (let i = 0; i < 5; i++) await cap.press("ArrowRight");
    await expect(beta.locator("output")).toHaveText("25%");
    await beta.locator("button[aria-pressed]").click();
    await page.getByRole("button", { name: WORDS[lang].nav, exact: true }).click();
    await check(page, "cap", "pass", 40_000);

    await expect(page.getByTestId("lesson-progress")).toHaveText(WORDS[lang].progress(6, 6));
    await page.screenshot({ path: `${SHOTS}lessons-hypervisor-${lang}.png`, fullPage: true });

    // Progress survives a reload.
    await page.evaluate(() => window.hyperlab.shutdown());
    await page.reload();
    await page.getByRole("button", { name: WORDS[lang].nav, exact: true }).click();
    await expect(page.locator('button[data-lesson-link="hypervisor"] .count')).toHaveText("6/6");
    expect(errors).toEqual([]);
  });

  test(`lesson 7 in ${lang}: the dashboard as a mini cloud, with a script against window.hyperlab`, async ({
    page,
  }) => {
    test.setTimeout(240_000);
    const errors = watchErrors(page);
    await open(page, lang, "iaas");

    expect(await check(page, "api", "fail")).toContain("api-1");
    expect(await check(page, "terminate", "fail")).toContain("api-1");
    await startLab(page, ["web-1"]);
    await check(page, "launch", "pass");

    expect(await check(page, "stop-start", "fail")).toContain("web-1");
    await guestAction(page, "web-1", "stop", "stopped");
    await guestAction(page, "web-1", "start", "running");
    await check(page, "stop-start", "pass");

    await page.locator(".script-runner button.primary").click();
    await expect(page.getByTestId("script-result")).toContainText("api-1 is running", { timeout: BOOT_TIMEOUT });
    await check(page, "api", "pass");

    await page.locator("nav.views button").first().click();
    await page.getByRole("button", { name: WORDS[lang].terminate, exact: true }).click();
    await expect(page.locator('tr[data-guest="api-1"]')).toHaveCount(0);
    await page.getByRole("button", { name: WORDS[lang].nav, exact: true }).click();
    await check(page, "terminate", "pass");
    await expect(page.getByTestId("lesson-progress")).toHaveText(WORDS[lang].progress(4, 4));
    await page.screenshot({ path: `${SHOTS}lessons-iaas-${lang}.png`, fullPage: true });
    await page.evaluate(() => window.hyperlab.shutdown());
    expect(errors).toEqual([]);
  });
}

test("lessons 1, 3 and 6: classification, diagram and comparison table; lecture mode by keyboard", async ({ page }) => {
  const errors = watchErrors(page);
  await open(page, "en", "kinds");
  const row = (product: string) => page.locator(`tr[data-product="${product}"] select`);
  // A wrong answer fails and is marked; the right ones pass.
  const key: Record<string, string[]> = {
    virtualbox: ["vm", "installed", "hypervisor", "open-source", "workstation"],
    "hyper-v": ["vm", "installed", "hypervisor", "commercial"],
    kvm: ["vm", "installed", "hypervisor", "open-source", "production"],
    xen: ["vm", "installed", "hypervisor", "open-source", "production"],
    vsphere: ["vm", "installed", "hypervisor", "commercial", "production"],
    ec2: ["vm", "public-cloud", "application", "commercial"],
    vagrant: ["environment", "installed", "application", "workstation"],
    docker: ["vm", "installed", "application", "open-source"],
    openstack: ["private-cloud", "installed", "application"],
    mesos: ["private-cloud", "installed", "application"],
  };
  for (const [product, values] of Object.entries(key))
    for (const [i, value] of values.entries()) await row(product).nth(i).selectOption(value);
  expect(await check(page, "classify", "fail")).toContain("1 wrong");
  await expect(page.locator('tr[data-product="docker"] td.wrong')).toHaveCount(1);
  await page.screenshot({ path: `${SHOTS}lessons-classification.png`, fullPage: true });
  await row("docker").first().selectOption("container");
  await check(page, "classify", "pass");

  // Lesson 3: the diagram, and the quiz answered wrongly, then rightly.
  await page.locator('button[data-lesson-link="types"]').click();
  await page.getByRole("button", { name: "Hyperlab in this tab" }).click();
  await expect(page.locator('svg[data-diagram="hyperlab"]')).toBeVisible();
  await page.getByRole("radio", { name: "Type 1: standalone" }).check();
  await check(page, "which-type", "fail");
  await page.getByRole("radio", { name: "Type 2: on a host OS" }).check();
  await check(page, "which-type", "pass");
  await page.locator('svg[data-diagram="hyperlab"]').screenshot({ path: `${SHOTS}lessons-diagram.png` });

  // Lesson 6: sort, pick, annotate.
  await page.locator('button[data-lesson-link="choosing"]').click();
  await page.getByRole("button", { name: "Sort by Licence cost" }).click();
  await expect(page.locator("tr[data-platform]").first()).toHaveAttribute("data-platform", "vsphere");
  await page.getByRole("radio", { name: "Pick KVM" }).check();
  expect(await check(page, "pick", "fail")).toContain("KVM");
  await page.getByRole("textbox", { name: "Your note on KVM" }).fill("Linux only, tight budget");
  await check(page, "pick", "pass");
  await page.screenshot({ path: `${SHOTS}lessons-platforms.png`, fullPage: true });

  // Lecture mode: one slide at a time, arrows and Escape.
  await page.getByRole("button", { name: "Lecture mode" }).click();
  const lecture = page.getByRole("dialog", { name: /Lecture mode/ });
  await expect(lecture).toBeVisible();
  await expect(lecture.locator("h2")).toHaveText("Choosing a platform");
  await page.keyboard.press("ArrowRight");
  await expect(lecture.locator("h2")).toHaveText("No single winner");
  await page.screenshot({ path: `${SHOTS}lessons-lecture.png` });
  await page.keyboard.press("ArrowLeft");
  await expect(lecture.locator("h2")).toHaveText("Choosing a platform");
  await page.keyboard.press("Escape");
  await expect(lecture).toBeHidden();
  expect(errors).toEqual([]);
});
