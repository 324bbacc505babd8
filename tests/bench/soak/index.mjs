/**
 * soak: 4 guests for N minutes (`pnpm bench soak --minutes N`, default 2; the README's figure is
 * 30) under mixed load: sequence-numbered lines on both console kinds, ping and TCP across the
 * switch, disk writes, pauses, resumes, snapshots, and one migration a minute between Host A and
 * Host B. Metrics (CONVENTIONS.md): console_bytes_lost (every line read back in order),
 * frames_lost_unexpected (switch drops other than those a pause explains), rss_growth_pct of this
 * process (workers included) from minute 5 (or a quarter of a shorter run) to the end.
 */
import { nodeHypervisor } from "../lib/ours.mjs";
import { round, sleep } from "../lib/stats.mjs";

const TIMEOUT_MS = 120_000;
/** Guests, their NIC, and which console carries the counting lines (the other runs commands). */
const GUESTS = [
  { name: "soak-1", net: "ne2k", traffic: "serial", address: "10.0.9.201" },
  { name: "soak-2", net: "virtio", traffic: "virtio", address: "10.0.9.202" },
  { name: "soak-3", net: "ne2k", traffic: "virtio", address: "10.0.9.203" },
  { name: "soak-4", net: "virtio", traffic: "serial", address: "10.0.9.204" },
];
const DEVICE = { serial: "/dev/ttyS0", virtio: "/dev/hvc0" };
/** Drops a pause can explain: frames for a paused guest beyond what the switch holds. */
const EXPECTED_DROPS = new Set(["heldOverflow"]);

function minutesArg() {
  const i = process.argv.indexOf("--minutes");
  const minutes = i >= 0 ? Number(process.argv[i + 1]) : 2;
  if (!(minutes > 0 && minutes <= 24 * 60)) throw new Error("--minutes takes a number of minutes (0 < N ≤ 1440)");
  return minutes;
}

/** Reads "SEQ n" lines as they stream and counts what is missing or out of order. */
class SequenceCheck {
  constructor() {
    this.rest = "";
    this.next = undefined;
    this.lines = 0;
    this.lostLines = 0;
    this.lostBytes = 0;
  }

  add(text) {
    const parts = (this.rest + text).split("\n");
    this.rest = parts.pop() ?? "";
    for (const part of parts) {
      const m = /^SEQ (\d+) ([a-z]+)\r?$/.exec(part);
      if (!m) continue;
      const n = Number(m[1]);
      if (this.next !== undefined && n !== this.next) {
        const missing = Math.max(0, n - this.next);
        this.lostLines += missing || 1;
        this.lostBytes += (missing || 1) * part.length;
      }
      this.next = n + 1;
      this.lines++;
    }
  }
}

export async function run({ report }) {
  const minutes = minutesArg();
  const hv = await nodeHypervisor({ hosts: [{ memoryBudgetMiB: 512 }, { memoryBudgetMiB: 512 }] });
  const checks = new Map();
  const counts = { migrations: 0, snapshots: 0, pauses: 0, diskWrites: 0, failures: [] };
  try {
    const guests = [];
    for (const [i, g] of GUESTS.entries()) {
      const guest = await hv.create({ image: "linux", name: g.name, console: "both", net: g.net }, undefined, {
        host: i % 2 === 0 ? "a" : "b",
      });
      const check = new SequenceCheck();
      checks.set(guest, check);
      guest.on("guest:output", (e) => e.console === g.traffic && check.add(e.text));
      if (!(await hv.startInstant(guest)).instant) await guest.waitReady({ timeoutMs: TIMEOUT_MS });
      guests.push({ guest, ...g, control: g.traffic === "serial" ? "virtio" : "serial" });
    }
    for (const g of guests) await g.guest.waitReady({ console: g.control, timeoutMs: TIMEOUT_MS });
    for (const g of guests) {
      const exec = (cmd) => g.guest.exec(cmd, { console: g.control, timeoutMs: TIMEOUT_MS });
      // Addresses of their own (outside the DHCP pool), so the soak does not depend on leases.
      await exec(`ip addr add ${g.address}/24 dev eth0; ip link set eth0 up`);
      // A line every 20 ms on the traffic console, numbered, with some text to carry.
      await exec(
        `(i=0; while true; do echo "SEQ $i abcdefghijklmnopqrstuvwxyz" > ${DEVICE[g.traffic]}; i=$((i+1)); usleep 20000; done) &`,
      );
    }
    // Ping around the ring and a TCP stream from soak-1 to soak-2.
    for (const [i, g] of guests.entries()) {
      const peer = guests[(i + 1) % guests.length];
      await g.guest.exec(`ping -i 0.5 ${peer.address} > /dev/null 2>&1 &`, { console: g.control });
    }
    await guests[1].guest.exec("(while true; do nc -l -p 5000 > /dev/null; done) &", { console: guests[1].control });
    await guests[0].guest.exec(
      `(while true; do dd if=/dev/zero bs=1k count=64 2>/dev/null | nc ${guests[1].address} 5000; sleep 1; done) &`,
      { console: guests[0].control },
    );

    const started = Date.now();
    const endAt = started + minutes * 60_000;
    const rssFrom = Math.min(5 * 60_000, (minutes * 60_000) / 4);
    let rssStart;
    let tick = 0;
    while (Date.now() < endAt) {
      await sleep(10_000);
      tick++;
      const g = guests[tick % guests.length];
      const step = async (what, fn) => {
        try {
          await fn();
        } catch (error) {
          counts.failures.push(`${what} ${g.name}: ${error?.message ?? error}`);
          report.progress(`${what} ${g.name} failed: ${error?.message ?? error}`);
        }
      };
      await step("disk write", async () => {
        await g.guest.exec("dd if=/dev/urandom of=/root/soak.bin bs=1k count=256 2>/dev/null; sync", {
          console: g.control,
        });
        counts.diskWrites++;
      });
      if (tick % 2 === 0)
        await step("pause", async () => {
          await g.guest.pause();
          await sleep(1000);
          await g.guest.resume();
          counts.pauses++;
        });
      if (tick % 3 === 0)
        await step("snapshot", async () => {
          await g.guest.snapshot();
          counts.snapshots++;
        });
      if (tick % 6 === 0)
        await step("migration", async () => {
          await g.guest.migrate(g.guest.placement.id === "a" ? "b" : "a");
          counts.migrations++;
        });
      const elapsed = Date.now() - started;
      if (rssStart === undefined && elapsed >= rssFrom) rssStart = process.memoryUsage().rss;
      report.progress(
        `${round(elapsed / 60_000, 1)} min: ${[...checks.values()].reduce((s, c) => s + c.lines, 0)} lines read, ${counts.migrations} migrations`,
      );
    }
    const rssEnd = process.memoryUsage().rss;
    rssStart ??= rssEnd;
    let lostBytes = 0;
    const rows = guests.map((g) => {
      const c = checks.get(g.guest);
      lostBytes += c.lostBytes;
      const drops = hv.network.port(g.guest).counters.drops;
      const unexpected = Object.entries(drops)
        .filter(([reason]) => !EXPECTED_DROPS.has(reason))
        .reduce((sum, [, n]) => sum + n, 0);
      g.unexpected = unexpected;
      return [g.name, g.traffic, g.guest.placement.name, c.lines, c.lostLines, unexpected, drops.heldOverflow];
    });
    report.table(["guest", "lines on", "host now", "lines read", "lines lost", "drops", "held overflow"], rows);
    report.table(
      ["disk writes", "pauses", "snapshots", "migrations", "failed steps"],
      [[counts.diskWrites, counts.pauses, counts.snapshots, counts.migrations, counts.failures.length]],
    );
    for (const failure of counts.failures) report.print(`failed: ${failure}`);
    report.metric({
      metric: "console_bytes_lost",
      value: lostBytes,
      unit: "B",
      target: "<=0",
      n: guests.length,
      minutes,
    });
    report.metric({
      metric: "frames_lost_unexpected",
      value: guests.reduce((s, g) => s + g.unexpected, 0),
      unit: "frames",
      target: "<=0",
      n: guests.length,
      minutes,
    });
    report.metric({
      metric: "rss_growth_pct",
      value: round(((rssEnd - rssStart) / rssStart) * 100, 2),
      unit: "%",
      target: "<=5",
      n: 1,
      from_mib: round(rssStart / 2 ** 20, 1),
      to_mib: round(rssEnd / 2 ** 20, 1),
      from_minute: round(rssFrom / 60_000, 2),
    });
  } finally {
    await hv.shutdown();
  }
}
