/**
 * Integration: security groups in front of real guests. A web guest (BusyBox httpd on port 80,
 * and on 8081 which no rule opens) carries a group that allows tcp/80 from the segment; a client
 * guest has no group. The client's wget reaches port 80 and not 8081; its ping is dropped until
 * an icmp rule is added; web's own connections out get their answers back; a TCP flow under way
 * is cut when its rule goes and goes on when it comes back.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { leaseAddress, type Guest } from "../src/index.js";
import { createNodeHypervisor } from "../src/node/index.js";

const hv = createNodeHypervisor({ memoryBudgetMiB: 256, hostCores: 2 });
afterAll(() => hv.shutdown());

const WEB = "10.0.1.10";
const CLIENT = "10.0.1.11";
let web: Guest;
let client: Guest;

/** Serves `text` as / on `port` with BusyBox httpd (it goes to the background by itself). */
function serve(guest: Guest, port: number, text: string) {
  return guest.exec(`mkdir -p /www${port} && echo ${text} > /www${port}/index.html && httpd -p ${port} -h /www${port}`);
}

beforeAll(async () => {
  hv.network.defineSegment("lan", "10.0.1.0/24");
  web = await hv.create({ name: "web", image: "linux", net: "virtio" });
  client = await hv.create({ name: "client", image: "linux", net: "ne2k" });
  hv.network.setSegment(web, "lan");
  hv.network.setSegment(client, "lan");
  await Promise.all([web, client].map((g) => g.start()));
  await Promise.all([web, client].map((g) => g.waitReady({ timeoutMs: 120_000 })));
  expect(await leaseAddress(web)).toBe(WEB);
  expect(await leaseAddress(client)).toBe(CLIENT);
  // The lease is the server's acknowledgement; the guest's udhcpc script applies it a moment later.
  for (const guest of [web, client]) await guest.exec("until ip -4 addr show eth0 | grep -q inet; do sleep 0.1; done");
  await serve(web, 80, "hello-from-web");
  await serve(web, 8081, "not-for-you");
  await serve(client, 8080, "hello-from-client");
  hv.network.defineGroup({ name: "web", rules: [{ protocol: "tcp", ports: "80", source: "10.0.1.0/24" }] });
  hv.network.setGroups(web, ["web"]);
}, 150_000);

// BusyBox 1.35's `wget -T` crashes in this image (a segfault): `timeout` bounds it instead.
const wget = (guest: Guest, url: string) => guest.exec(`timeout 5 wget -q -O - ${url}`, { timeoutMs: 30_000 });
const rule = (index: number) => hv.network.groups.find((g) => g.name === "web")!.rules[index];

describe("security groups with real guests", () => {
  it("let the client's wget reach port 80, which a rule allows, and not 8081, which none does", async () => {
    const before = rule(0).matches;
    const allowed = await wget(client, `http://${WEB}/`);
    expect(allowed).toMatchObject({ exitCode: 0, output: "hello-from-web\n" });
    expect(rule(0).matches).toBeGreaterThan(before);

    const drops = hv.network.port(web).counters.drops.securityGroup;
    const refused = await wget(client, `http://${WEB}:8081/`);
    expect(refused.exitCode).not.toBe(0);
    expect(refused.output).not.toContain("not-for-you");
    expect(hv.network.port(web).counters.drops.securityGroup).toBeGreaterThan(drops);
    // The live packet log shows the client's SYN to 8081 dropped on its way to web.
    const dropped = hv.network.log.filter((p) => p.dropped === "securityGroup" && p.port === "web");
    expect(dropped.some((p) => p.protocol === "TCP" && p.info.includes("→ 8081 [SYN]"))).toBe(true);
  });

  it("drop the client's ping until an icmp rule is added, then let it through", async () => {
    const blocked = await client.exec(`ping -c 2 -W 1 ${WEB}`);
    expect(blocked.output).toContain("2 packets transmitted, 0 packets received");
    hv.network.addRule("web", { protocol: "icmp", source: `${CLIENT}/32` });
    try {
      const allowed = await client.exec(`ping -c 2 -W 3 ${WEB}`);
      expect(allowed.output).toContain("2 packets transmitted, 2 packets received");
      expect(rule(1).matches).toBe(2);
    } finally {
      hv.network.removeRule("web", 1);
    }
    expect((await client.exec(`ping -c 1 -W 1 ${WEB}`)).exitCode).not.toBe(0);
  });

  it("let the answers to web's own connections back in, though no rule allows them", async () => {
    expect(await wget(web, `http://${CLIENT}:8080/`)).toMatchObject({ exitCode: 0, output: "hello-from-client\n" });
    // The client pinged web before, likely with the same identifier (both guests' ping has the same pid).
    expect((await web.exec(`ping -c 1 -W 3 ${CLIENT}`)).exitCode).toBe(0);
    expect((await web.exec("ping -c 1 -W 3 10.0.1.1")).exitCode).toBe(0); // the segment's DHCP server
    expect(
      hv.network
        .connections(web)
        .filter((c) => c.opener === "guest")
        .map((c) => c.remotePort),
    ).toContain(8080);
  });

  it("cut a TCP flow under way when its rule goes, and let it go on when the rule comes back", async () => {
    hv.network.addRule("web", { protocol: "tcp", ports: "7000", source: `${CLIENT}/32` });
    const listening = "cat /proc/net/tcp | grep -cE ':1B58 0+:0000 0A'"; // port 7000, LISTEN
    // Its input from a pipe that stays open: a background job reading the console would be stopped
    // (SIGTTIN) and read nothing, and at the end of /dev/null nc would close the connection.
    await web.exec("rm -f /tmp/got; sleep 600 | nc -l -p 7000 > /tmp/got &");
    await vi.waitFor(async () => expect(Number((await web.exec(listening)).output)).toBeGreaterThan(0), {
      timeout: 10_000,
      interval: 100,
    });
    // One connection: "one" at once, "two" once /tmp/go exists.
    await client.exec(
      `rm -f /tmp/go; (echo one; while [ ! -e /tmp/go ]; do sleep 0.1; done; echo two) | nc ${WEB} 7000 &`,
    );
    const got = async () => (await web.exec("cat /tmp/got")).output;
    await vi.waitFor(async () => expect(await got()).toBe("one\n"), { timeout: 10_000, interval: 100 });

    hv.network.removeRule("web", 1);
    const drops = hv.network.port(web).counters.drops.securityGroup;
    await client.exec("touch /tmp/go");
    // The client's TCP sends "two" and retransmits it: each try is dropped on its way to web.
    await vi.waitFor(() => expect(hv.network.port(web).counters.drops.securityGroup).toBeGreaterThan(drops + 1), {
      timeout: 15_000,
      interval: 100,
    });
    expect(await got()).toBe("one\n");

    hv.network.addRule("web", { protocol: "tcp", ports: "7000", source: `${CLIENT}/32` });
    await vi.waitFor(async () => expect(await got()).toBe("one\ntwo\n"), { timeout: 20_000, interval: 200 });
    hv.network.removeRule("web", 1);
  }, 90_000);

  it("drop everything unasked for at a group with no rule, and leave a guest with no group open", async () => {
    hv.network.defineGroup({ name: "closed", rules: [] });
    hv.network.setGroups(client, ["closed"]);
    try {
      expect((await web.exec(`ping -c 1 -W 1 ${CLIENT}`)).exitCode).not.toBe(0);
      // What the client asks for still comes back.
      expect(await wget(client, `http://${WEB}/`)).toMatchObject({ exitCode: 0, output: "hello-from-web\n" });
    } finally {
      hv.network.setGroups(client, []);
    }
    hv.network.setGroups(web, []);
    try {
      expect((await client.exec(`ping -c 2 -W 3 ${WEB}`)).output).toContain("2 packets received");
      expect(await wget(client, `http://${WEB}:8081/`)).toMatchObject({ exitCode: 0, output: "not-for-you\n" });
    } finally {
      hv.network.setGroups(web, ["web"]);
    }
  });
});
