import { readFile } from "node:fs/promises";
import { expect, test, type Page } from "@playwright/test";
import { watchErrors } from "./page.js";

const SHOTS = new URL("../screenshots/", import.meta.url).pathname;
const BOOT_TIMEOUT = 90_000;

test.beforeEach(async ({ page }) => {
  await page.addInitScript(() => {
    if (!sessionStorage.getItem("e2e-started")) {
      sessionStorage.setItem("e2e-started", "1");
      localStorage.setItem("hyperlab.lang", "en");
    }
  });
});

/** Whether `from`'s ping reaches `to` (one echo request, one second to answer). */
const pings = (page: Page, from: string, to: string) =>
  page.evaluate(
    async ([from, to]) => (await window.hyperlab.get(from).exec(`ping -c 1 -W 1 ${to}`)).exitCode === 0,
    [from, to],
  );

test("security groups: create one, attach it, see a ping dropped, allow it with a rule, refuse a bad rule", async ({
  page,
}) => {
  const errors = watchErrors(page);
  await page.goto("/");
  await expect(page.getByRole("button", { name: "Launch instances" })).toBeEnabled();

  // Two guests with virtio-net NICs; each takes its address from the segment's DHCP server at boot.
  const [web] = await page.evaluate(async () => {
    const hv = window.hyperlab;
    const guests = await Promise.all(
      ["sg-web", "sg-client"].map((name) =>
        hv.create({ name, image: "linux", memoryMiB: 32, console: "serial", net: "virtio" }),
      ),
    );
    await Promise.all(guests.map((g) => g.start()));
    await Promise.all(guests.map((g) => g.waitReady()));
    return Promise.all(guests.map((g) => hv.network.waitForLease(g)));
  });
  expect(web).toMatch(/^10\.0\.0\.\d+$/);
  // The lease is the server's acknowledgement; each guest's udhcpc applies it a moment later.
  await expect.poll(() => pings(page, "sg-client", web), { timeout: BOOT_TIMEOUT }).toBe(true);

  await page.getByRole("navigation", { name: "Views" }).getByRole("button", { name: "Security groups" }).click();
  await expect(page.getByRole("heading", { name: "Security groups", level: 2 })).toBeVisible();
  await expect(page.locator('tr[data-guest="sg-web"]')).toContainText("open");

  await page.getByLabel("New group").fill("web");
  await page.getByRole("button", { name: "Create group" }).click();
  const group = page.locator('article[data-group="web"]');
  await expect(group).toContainText("No rules: nothing is let in");

  // Attached: the client's ping is dropped on its way to web, and counted.
  await page.getByRole("checkbox", { name: "Group web on sg-web" }).check();
  await expect(page.locator('tr[data-guest="sg-web"]')).not.toContainText("open");
  expect(await pings(page, "sg-client", web)).toBe(false);
  await expect(group.locator("td.dropped")).not.toHaveText("0 dropped");
  await expect(page.locator('tr[data-guest="sg-web"] td.num')).not.toHaveText("0");

  // The Network view: the dropped ping is red in the packet log, and a capture keeps it apart.
  const nav = page.getByRole("navigation", { name: "Views" });
  await nav.getByRole("button", { name: "Network" }).click();
  await expect(page.locator(".net-log tr.dropped").filter({ hasText: "securityGroup" }).first()).toBeVisible();
  await page.getByRole("button", { name: "Start capture" }).click();
  expect(await pings(page, "sg-client", web)).toBe(false);
  await expect(page.getByRole("status").filter({ hasText: "Capturing" })).toContainText("(dropped: 1)");
  const pcap = page.waitForEvent("download");
  await page.getByRole("button", { name: "Stop and download .pcap" }).click();
  expect((await pcap).suggestedFilename()).toBe("hyperlab-segment-default.pcap");
  const dropped = page.waitForEvent("download");
  await page.getByRole("button", { name: "Download the 1 dropped frames (.pcapng)" }).click();
  const file = await readFile((await (await dropped).path())!);
  expect(file.toString("latin1")).toContain("dropped on the way to sg-web: securityGroup");
  await nav.getByRole("button", { name: "Security groups" }).click();

  // A rule for icmp from the segment's subnet lets it through, and counts what it let in.
  const form = page.getByRole("form", { name: "Add a rule to web" });
  await form.getByLabel("Protocol").selectOption("icmp");
  await expect(form.getByLabel("Ports")).toBeDisabled();
  await form.getByLabel("Source").fill("10.0.0.0/24");
  await form.getByRole("button", { name: "Add rule" }).click();
  const rule = group.locator("tbody tr").first();
  await expect(rule).toContainText("icmp");
  await expect(rule).toContainText("10.0.0.0/24");
  expect(await pings(page, "sg-client", web)).toBe(true);
  await expect(rule.locator("td.num")).not.toHaveText("0");

  // Port 70000 is refused with the core's sentence, and the form keeps what was typed.
  await form.getByLabel("Protocol").selectOption("tcp");
  await form.getByLabel("Ports").fill("70000");
  await form.getByRole("button", { name: "Add rule" }).click();
  await expect(page.getByRole("alert")).toContainText(
    'Security group "web", rule 2: the ports "70000" are not a port from 1 to 65535',
  );
  await expect(form.getByLabel("Ports")).toHaveValue("70000");
  await expect(group.locator("tbody tr")).toHaveCount(2); // the icmp rule and "everything else"
  await page.getByRole("button", { name: "Dismiss" }).click();
  await page.screenshot({ path: `${SHOTS}security-groups.png` });

  // The same view in Russian.
  await page.getByRole("button", { name: "Switch the interface to Russian" }).click();
  await expect(page.getByRole("heading", { name: "Группы безопасности", level: 2 })).toBeVisible();
  await expect(group).toContainText("Всё остальное");

  await page.evaluate(() => window.hyperlab.shutdown());
  expect(errors).toEqual([]);
});
