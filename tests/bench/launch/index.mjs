/**
 * launch: in Debian's Chromium against the built lab app, the time from clicking Launch in the
 * dialog to a shell that answers a command, for one guest and for four at once, with the
 * dialog's instant launch (ready snapshot) and with a cold boot. This measures the whole page
 * (dialog, image loading, workers, consoles); `pnpm bench boot` compares the layer itself with
 * bare v86.
 *
 * Needs the app built: pnpm turbo run build --filter=@hyperlab/web...
 */
import { CHROMIUM, CHROMIUM_ARGS, serve } from "../lib/preview.mjs";
import { median, sleep } from "../lib/stats.mjs";

const N = Number(process.env.HYPERLAB_BENCH_N ?? 3);
const PORT = Number(process.env.HYPERLAB_BENCH_PORT ?? 4179);

/** Clicks Launch with `count` guests and waits until every one answers `echo`. */
async function launchOnce(page, { count, instant, name }) {
  const notices = await page.locator(".notice").allTextContents();
  if (notices.length) throw new Error(`the page shows an error: ${notices.join(" | ")}`);
  await page.getByRole("button", { name: "Launch instances" }).click();
  const dialog = page.getByRole("dialog", { name: "Launch instances" });
  await dialog.getByRole("radio", { name: /^nano/ }).check();
  await dialog.getByRole("radio", { name: /^Full virtualization/ }).check();
  await dialog.getByLabel("Name").fill(name);
  await dialog.getByLabel("Count").fill(String(count));
  const box = dialog.getByRole("checkbox", { name: /Instant launch/ });
  if ((await box.isChecked()) !== instant) await box.click();
  const before = await page.evaluate(() => window.hyperlab.guests.map((g) => g.id));
  const t0 = await page.evaluate(() => performance.now());
  await dialog.getByRole("button", { name: "Launch", exact: true }).click();
  const elapsed = await page.evaluate(
    async ({ t0, count, before }) => {
      const hv = window.hyperlab;
      const fresh = () => hv.guests.filter((g) => !before.includes(g.id));
      // Created, then started by the dialog: exec waits for the shell from then on.
      while (fresh().length < count || fresh().some((g) => g.state === "created")) {
        if (performance.now() - t0 > 120_000) throw new Error(`only ${fresh().length} of ${count} guests started`);
        await new Promise((r) => setTimeout(r, 5));
      }
      const guests = fresh();
      await Promise.all(guests.map((g) => g.exec("echo ok", { timeoutMs: 120_000 })));
      const ms = performance.now() - t0;
      await Promise.all(guests.map((g) => g.terminate()));
      return ms;
    },
    { t0, count, before },
  );
  return elapsed;
}

export async function run({ report }) {
  const { chromium } = await import("playwright-core");
  const server = await serve(PORT);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(server.url);
    await page.getByRole("button", { name: "Launch instances" }).waitFor();
    await page.waitForFunction(() => window.hyperlab?.catalog);
    const cases = [
      { label: "1 guest, instant", count: 1, instant: true },
      { label: "1 guest, cold boot", count: 1, instant: false },
      { label: "4 guests, instant", count: 4, instant: true },
      { label: "4 guests, cold boot", count: 4, instant: false },
    ];
    const results = new Map();
    let run = 0;
    for (let i = 0; i < N; i++) {
      for (const c of cases) {
        const ms = await launchOnce(page, { ...c, name: `bench-${++run}` });
        report.progress(`${c.label}: ${Math.round(ms)} ms`);
        results.set(c.label, [...(results.get(c.label) ?? []), ms]);
        await sleep(300);
      }
    }
    report.table(
      ["case", "median ms", "runs"],
      cases.map((c) => [
        c.label,
        Math.round(median(results.get(c.label))),
        results.get(c.label).map(Math.round).join(", "),
      ]),
    );
    // The page with eight guests running, four consoles open and printing: long tasks (> 50 ms)
    // on the main thread over 10 s.
    await page.evaluate(async () => {
      const hv = window.hyperlab;
      for (let i = 0; i < 8; i++) {
        const guest = await hv.create({
          name: `busy-${i}`,
          image: "linux",
          memoryMiB: 32,
          console: "serial",
          net: "ne2k",
        });
        await hv.startInstant(guest);
      }
      await Promise.all(hv.guests.map((g) => g.waitReady()));
    });
    for (let i = 0; i < 4; i++)
      await page.locator(`tr[data-guest="busy-${i}"]`).getByRole("button", { name: "Console" }).click();
    const busy = await page.evaluate(async () => {
      const hv = window.hyperlab;
      const tasks = [];
      const observer = new PerformanceObserver((list) => tasks.push(...list.getEntries().map((e) => e.duration)));
      observer.observe({ type: "longtask" });
      for (let i = 0; i < 4; i++) hv.get(`busy-${i}`).write("serial", "while :; do echo hyperlab; done\n");
      await new Promise((r) => setTimeout(r, 10_000));
      observer.disconnect();
      await Promise.all([...hv.guests].map((g) => g.terminate()));
      return { count: tasks.length, longest: Math.round(Math.max(0, ...tasks)) };
    });
    report.table(
      ["8 guests running, 4 printing, 10 s", "long tasks", "longest ms"],
      [["main thread", busy.count, busy.longest]],
    );
    const one = results.get("1 guest, instant");
    report.metric({
      metric: "launch_to_shell_ms",
      value: Math.round(median(one)),
      unit: "ms",
      target: "<=3000",
      n: one.length,
      cold_boot_ms: Math.round(median(results.get("1 guest, cold boot"))),
      four_instant_ms: Math.round(median(results.get("4 guests, instant"))),
      four_cold_ms: Math.round(median(results.get("4 guests, cold boot"))),
    });
    report.metric({
      metric: "main_thread_long_tasks_8_guests",
      value: busy.count,
      unit: "tasks/10s",
      longest_ms: busy.longest,
      n: 1,
    });
  } finally {
    await browser.close();
    server.stop();
  }
}
