/**
 * net: through the hypervisor's virtual switch.
 * - guest_to_guest_kib_s: TCP (BusyBox nc) from one guest to another on one segment, per NIC
 *   type (NE2000, virtio-net); the data phase is timed on the switch (first to last full-size
 *   frame from the sender's port), so exec and connection set-up are not counted.
 * - rtt_ms: median ICMP echo round trip guest → guest (ping, the first one with ARP left out).
 * - switch_frames_s: frames per second the VirtualSwitch forwards by itself between two fake
 *   ports (learned unicast, 64-byte frames), no guests.
 */
import { nodeHypervisor } from "../lib/ours.mjs";
import { median, round } from "../lib/stats.mjs";

const NICS = ["ne2k", "virtio"];
const TRANSFER_KIB = 1024;
const RUNS = 3;
const PINGS = 11;

async function switchFramesPerSecond() {
  const { VirtualSwitch } = await import("@hyperlab/core");
  const sw = new VirtualSwitch();
  let delivered = 0;
  const a = sw.addPort({ name: "a", segment: "s", deliver: () => delivered++ });
  const b = sw.addPort({ name: "b", segment: "s", deliver: () => delivered++ });
  const ab = new Uint8Array(64);
  const ba = new Uint8Array(64);
  ab.set([2, 0, 0, 0, 0, 0xb, 2, 0, 0, 0, 0, 0xa, 8, 0]);
  ba.set([2, 0, 0, 0, 0, 0xa, 2, 0, 0, 0, 0, 0xb, 8, 0]);
  sw.receive(a, ab);
  sw.receive(b, ba);
  const rates = [];
  for (let run = 0; run < 5; run++) {
    const frames = 1_000_000;
    const t0 = performance.now();
    for (let i = 0; i < frames; i += 2) {
      sw.receive(a, ab);
      sw.receive(b, ba);
    }
    rates.push(frames / ((performance.now() - t0) / 1000));
  }
  return { value: median(rates), delivered };
}

async function guestPair(hv, nic) {
  const segment = `bench-${nic}`;
  hv.network.defineSegment(segment);
  const names = [`${nic}-tx`, `${nic}-rx`];
  const guests = [];
  for (const name of names) {
    const guest = await hv.create({ name, image: "linux", net: nic });
    hv.network.setSegment(guest, segment);
    guests.push(guest);
  }
  await Promise.all(guests.map((g) => g.start()));
  await Promise.all(guests.map((g) => g.waitReady({ timeoutMs: 180_000 })));
  // Each guest asks for its address itself at boot (the image's udhcpc).
  const addresses = [];
  for (const guest of guests) addresses.push(await hv.network.waitForLease(guest));
  return { guests, addresses };
}

async function measureNic(hv, nic, report) {
  const {
    guests: [tx, rx],
    addresses: [, rxAddress],
  } = await guestPair(hv, nic);
  try {
    const ping = await tx.exec(`ping -c ${PINGS} -i 0.3 ${rxAddress}`, { timeoutMs: 60_000 });
    const times = [...ping.output.matchAll(/time=([\d.]+) ms/g)].map((m) => Number(m[1])).slice(1);
    if (times.length === 0) throw new Error(`${nic}: ping got no replies: ${ping.output}`);
    const rates = [];
    for (let run = 0, attempts = 0; run < RUNS; run++) {
      let first = 0;
      let last = 0;
      let bytes = 0;
      const sub = hv.network.on("network:packet", (p) => {
        if (p.port !== tx.name || p.protocol !== "TCP" || p.length < 1000) return;
        if (!first) first = p.at;
        last = p.at;
        bytes += p.length;
      });
      const receiving = rx.exec("nc -l -p 5001 | wc -c", { timeoutMs: 180_000 });
      // Give the listener time to be typed and bound before the sender connects.
      await new Promise((r) => setTimeout(r, 1000));
      await tx.exec(`dd if=/dev/zero bs=1024 count=${TRANSFER_KIB} 2>/dev/null | nc -w 1 ${rxAddress} 5001`, {
        timeoutMs: 180_000,
      });
      const got = Number((await receiving).output.trim());
      sub.dispose();
      if (got !== TRANSFER_KIB * 1024) {
        // A sender that connected before the listener was up: try again (twice at most).
        if (++attempts > 2) throw new Error(`${nic}: received ${got} bytes of ${TRANSFER_KIB * 1024}`);
        report.progress(`${nic}: run ${run + 1}: received ${got} bytes, again`);
        run--;
        continue;
      }
      rates.push(bytes / 1024 / ((last - first) / 1000));
      report.progress(`${nic}: run ${run + 1}: ${round(rates.at(-1), 0)} KiB/s`);
    }
    return { kibS: median(rates), rates, rtt: median(times), times };
  } finally {
    await Promise.all([tx, rx].map((g) => g.terminate()));
  }
}

export async function run({ report }) {
  report.progress("switch alone: 5 × 1,000,000 frames between two fake ports");
  const sw = await switchFramesPerSecond();
  const hv = await nodeHypervisor({ memoryBudgetMiB: 256 });
  const results = new Map();
  try {
    for (const nic of NICS) {
      report.progress(`${nic}: booting two guests`);
      results.set(nic, await measureNic(hv, nic, report));
    }
  } finally {
    await hv.shutdown();
  }
  report.print(
    `net: two 32 MiB guests per NIC type on one segment of the virtual switch; ${TRANSFER_KIB} KiB with nc × ${RUNS}, ${PINGS - 1} pings`,
  );
  report.table(
    ["nic", "guest→guest KiB/s", "runs KiB/s", "rtt ms (median)", "rtt min", "rtt max"],
    NICS.map((nic) => {
      const r = results.get(nic);
      return [
        nic,
        round(r.kibS, 0),
        r.rates.map((x) => round(x, 0)).join(" "),
        round(r.rtt, 2),
        round(Math.min(...r.times), 2),
        round(Math.max(...r.times), 2),
      ];
    }),
  );
  report.table(["switch alone", "frames/s"], [["64-byte unicast, 2 fake ports", Math.round(sw.value)]]);
  for (const nic of NICS) {
    const r = results.get(nic);
    report.metric({
      metric: "guest_to_guest_kib_s",
      value: round(r.kibS, 1),
      unit: "KiB/s",
      n: RUNS,
      nic,
      runs: r.rates.map((x) => round(x, 1)),
    });
    report.metric({ metric: "rtt_ms", value: round(r.rtt, 2), unit: "ms", n: r.times.length, nic, times: r.times });
  }
  report.metric({ metric: "switch_frames_s", value: Math.round(sw.value), unit: "frames/s", n: 5, frame_bytes: 64 });
}
