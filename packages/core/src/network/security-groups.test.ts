/**
 * Security groups on the host side of the switch, with fake guests and a fake clock: what a
 * guarded port is given, what is dropped and counted, and how edits act on flows under way.
 */
import { describe, expect, it } from "vitest";
import { isHyperlabError } from "../errors.js";
import { plugIn, type FakeGuest } from "../testing/fake-guest.js";
import { ACK, arp, dhcpDiscover, echo, SYN, tcp, udp } from "../testing/frames.js";
import { parseMac, summarize } from "./frame.js";
import { Network } from "./network.js";
import { parsePcap } from "./pcap.js";
import { parsePcapng } from "./pcapng.js";

const WEB = "10.0.1.10";
const CLIENT = "10.0.1.11";

function setup() {
  let now = 1_000;
  const network = new Network({ clock: () => now });
  network.defineSegment("lan", "10.0.1.0/24");
  const web = plugIn(network, "web");
  const client = plugIn(network, "client");
  network.setSegment("web", "lan");
  network.setSegment("client", "lan");
  const mac = (g: FakeGuest) => parseMac(g.spec.mac!);
  /** Addresses of frames from client to web, and back. */
  const toWeb = { from: CLIENT, to: WEB, srcMac: mac(client), dstMac: mac(web) };
  const toClient = { from: WEB, to: CLIENT, srcMac: mac(web), dstMac: mac(client) };
  /** Whether `frame`, sent by `from`, reached `to`. */
  const reaches = (from: FakeGuest, to: FakeGuest, frame: Uint8Array) => {
    const before = to.received.length;
    from.send(frame);
    return to.received.length > before;
  };
  return { network, web, client, toWeb, toClient, reaches, advance: (ms: number) => (now += ms) };
}

function reason(action: () => void): unknown {
  try {
    action();
  } catch (error) {
    return isHyperlabError(error) ? `${error.code} ${String(error.details.reason)}` : error;
  }
  return "not refused";
}

describe("security groups", () => {
  it("leave a port with no group open, as before groups existed", () => {
    const { network, web, client, toWeb, reaches } = setup();
    expect(network.port("web").groups).toEqual([]);
    expect(reaches(client, web, tcp({ ...toWeb, sport: 40000, dport: 22, flags: SYN }))).toBe(true);
    expect(reaches(client, web, echo({ ...toWeb, type: 8, id: 1 }))).toBe(true);
  });

  it("let in only what a rule allows, and count each rule's matches and each group's drops", () => {
    const { network, web, client, toWeb, reaches } = setup();
    const packets: string[] = [];
    network.on("network:packet", (p) => packets.push(`${p.port} ${p.protocol} ${p.dropped ?? "ok"}`));
    network.defineGroup({ name: "web", rules: [{ protocol: "tcp", ports: "80", source: "10.0.1.0/24" }] });
    network.setGroups("web", ["web"]);
    expect(network.port("web").groups).toEqual(["web"]);

    expect(reaches(client, web, tcp({ ...toWeb, sport: 40000, dport: 80, flags: SYN }))).toBe(true);
    expect(reaches(client, web, tcp({ ...toWeb, sport: 40001, dport: 22, flags: SYN }))).toBe(false);
    expect(reaches(client, web, udp({ ...toWeb, sport: 40002, dport: 80 }))).toBe(false);
    expect(network.port("web").counters.drops.securityGroup).toBe(2);
    expect(network.groups).toEqual([
      {
        name: "web",
        rules: [{ protocol: "tcp", ports: "80", source: "10.0.1.0/24", matches: 1 }],
        guests: ["web"],
        dropped: 2,
      },
    ]);
    // The packet log shows each frame entering the switch, and the drop on its way to web.
    expect(packets.slice(-2)).toEqual(["client UDP ok", "web UDP securityGroup"]);
  });

  it("drop a ping until an icmp rule is added, at once", () => {
    const { network, web, client, toWeb, reaches } = setup();
    network.defineGroup({ name: "web", rules: [{ protocol: "tcp", ports: "80", source: "0.0.0.0/0" }] });
    network.setGroups("web", ["web"]);
    expect(reaches(client, web, echo({ ...toWeb, type: 8, id: 9 }))).toBe(false);
    network.addRule("web", { protocol: "icmp", source: `${CLIENT}/32` });
    expect(reaches(client, web, echo({ ...toWeb, type: 8, id: 9 }))).toBe(true);
    expect(network.groups[0].rules.map((r) => r.matches)).toEqual([0, 1]);
  });

  it("let the answers to a connection the guest opened back in, though no rule allows them", () => {
    const { network, web, client, toWeb, toClient, reaches } = setup();
    network.defineGroup({ name: "closed", rules: [] });
    network.setGroups("web", ["closed"]);
    expect(reaches(web, client, tcp({ ...toClient, sport: 41000, dport: 8080, flags: SYN }))).toBe(true);
    expect(reaches(client, web, tcp({ ...toWeb, sport: 8080, dport: 41000, flags: SYN | ACK }))).toBe(true);
    expect(reaches(client, web, tcp({ ...toWeb, sport: 8080, dport: 41000 }))).toBe(true);
    expect(network.connections("web")).toEqual([
      expect.objectContaining({ local: WEB, localPort: 41000, remote: CLIENT, remotePort: 8080, opener: "guest" }),
    ]);
    // The client opening its own connection to web is no answer.
    expect(reaches(client, web, tcp({ ...toWeb, sport: 8080, dport: 41001, flags: SYN }))).toBe(false);
    // web's ping out, and its reply back.
    expect(reaches(web, client, echo({ ...toClient, type: 8, id: 5 }))).toBe(true);
    expect(reaches(client, web, echo({ ...toWeb, type: 0, id: 5 }))).toBe(true);
  });

  it("cut a flow under way when its rule goes, though the guest keeps answering", () => {
    const { network, web, client, toWeb, toClient, reaches } = setup();
    network.defineGroup({ name: "web", rules: [{ protocol: "tcp", ports: "80", source: "0.0.0.0/0" }] });
    network.setGroups("web", ["web"]);
    const request = (flags = ACK) => tcp({ ...toWeb, sport: 40000, dport: 80, flags });
    expect(reaches(client, web, request(SYN))).toBe(true);
    expect(reaches(web, client, tcp({ ...toClient, sport: 80, dport: 40000, flags: SYN | ACK }))).toBe(true);
    expect(reaches(client, web, request())).toBe(true);
    network.removeRule("web", 0);
    expect(reaches(client, web, request())).toBe(false);
    // web still sends (retransmits, answers): that does not make it web's own connection.
    expect(reaches(web, client, tcp({ ...toClient, sport: 80, dport: 40000, flags: ACK }))).toBe(true);
    expect(reaches(client, web, request())).toBe(false);
    expect(network.connections("web")).toEqual([expect.objectContaining({ opener: "peer", localPort: 80 })]);
  });

  it("keep ARP and the segment's DHCP working for a guarded guest with no rule", () => {
    const { network, web, client, toWeb, reaches } = setup();
    network.defineGroup({ name: "closed", rules: [] });
    network.setGroups("web", ["closed"]);
    expect(reaches(client, web, arp(toWeb))).toBe(true);
    // udhcpc's DISCOVER goes out; the segment's server's OFFER comes back in.
    const before = web.received.length;
    web.send(dhcpDiscover(toWeb.dstMac));
    expect(web.received.slice(before).map((f) => summarize(f).info)).toEqual(["OFFER"]);
    expect(network.port("web").counters.drops.securityGroup).toBe(0);
  });

  it("let a group source in by the sender's groups, and a segment source by the sender's segment", () => {
    const { network, web, client, toWeb, reaches } = setup();
    network.defineGroups([
      { name: "web", rules: [{ protocol: "tcp", ports: "22", source: "group:admin" }] },
      { name: "admin", rules: [] },
    ]);
    network.setGroups("web", ["web"]);
    const ssh = () => tcp({ ...toWeb, sport: 40000, dport: 22, flags: SYN });
    expect(reaches(client, web, ssh())).toBe(false);
    network.setGroups("client", ["admin"]);
    expect(reaches(client, web, ssh())).toBe(true);
    expect(network.groups.find((g) => g.name === "admin")!.guests).toEqual(["client"]);

    network.defineGroup({ name: "web", rules: [{ protocol: "any", source: "segment:lan" }] });
    expect(reaches(client, web, udp({ ...toWeb, sport: 1, dport: 9 }))).toBe(true);
    network.defineSegment("dmz");
    network.defineGroup({ name: "web", rules: [{ protocol: "any", source: "segment:dmz" }] });
    expect(reaches(client, web, udp({ ...toWeb, sport: 1, dport: 9 }))).toBe(false);
  });

  it("refuse unknown groups, bad rules and removing a group in use, changing nothing", () => {
    const { network, web, client, toWeb, reaches } = setup();
    network.defineGroup({ name: "web", rules: [{ protocol: "tcp", ports: "80", source: "0.0.0.0/0" }] });
    expect(reason(() => network.setGroups("web", ["nope"]))).toBe("invalid-spec unknown-group");
    expect(reason(() => network.setGroups("web", ["web", "web"]))).toBe("invalid-spec group-twice");
    expect(network.port("web").groups).toEqual([]);
    const bad = { protocol: "tcp" as const, ports: "70000", source: "0.0.0.0/0" };
    expect(
      reason(() =>
        network.defineGroups([
          { name: "ok", rules: [] },
          { name: "web", rules: [bad] },
        ]),
      ),
    ).toBe("invalid-spec rule-ports");
    expect(network.groups.map((g) => [g.name, g.rules.length])).toEqual([["web", 1]]);
    expect(reason(() => network.addRule("web", { protocol: "tcp", source: "10.0.0.300/8" }))).toBe(
      "invalid-spec rule-source",
    );
    expect(reason(() => network.removeRule("web", 3))).toBe("invalid-spec unknown-rule");

    network.setGroups("web", ["web"]);
    expect(reason(() => network.removeGroup("web"))).toBe("invalid-state group-in-use");
    network.defineGroup({ name: "lb", rules: [] });
    network.defineGroup({ name: "db", rules: [{ protocol: "tcp", source: "group:lb" }] });
    expect(reason(() => network.removeGroup("lb"))).toBe("invalid-state group-referenced");
    network.setGroups("web", []);
    network.removeGroup("web");
    expect(reaches(client, web, tcp({ ...toWeb, sport: 1, dport: 22, flags: SYN }))).toBe(true);
  });

  it("refuse groups given as anything but a list of names with a sentence (found by fuzzing)", () => {
    const { network } = setup();
    network.defineGroup({ name: "web", rules: [] });
    // These were TypeErrors: "values is not iterable", "names is not iterable", "groups.join is not a function".
    expect(reason(() => network.defineGroups(0 as never))).toBe("invalid-spec groups-shape");
    expect(reason(() => network.setGroups("web", {} as never))).toBe("invalid-spec groups-shape");
    expect(reason(() => network.setGroups("web", new Map() as never))).toBe("invalid-spec groups-shape");
    // A name that is not text: there is no such group, said without String() throwing on it.
    expect(reason(() => network.setGroups("web", [Object.create(null)]))).toBe("invalid-spec unknown-group");
    expect(network.port("web").groups).toEqual([]);
  });

  it("keep the frames it drops in a capture's pcapng, each with where and why", () => {
    const { network, web, client, toWeb, reaches } = setup();
    network.defineGroup({ name: "web", rules: [{ protocol: "tcp", ports: "80", source: "0.0.0.0/0" }] });
    network.setGroups("web", ["web"]);
    const capture = network.capture({ segment: "lan" });
    const everything = network.capture({ all: true });
    expect(reaches(client, web, tcp({ ...toWeb, sport: 40000, dport: 80, flags: SYN }))).toBe(true);
    expect(reaches(client, web, echo({ ...toWeb, type: 8, id: 3 }))).toBe(false);
    capture.stop();
    everything.stop();
    // What crossed the switch: both frames entered it.
    const crossed = parsePcap(capture.pcap()).frames.map((f) => summarize(f.bytes).protocol);
    expect(crossed).toEqual(["TCP", "ICMP"]);
    const dropped = parsePcapng(capture.droppedPcapng());
    expect(dropped.linkType).toBe(1);
    expect(dropped.frames.map((f) => [summarize(f.bytes).info, f.note])).toEqual([
      ["echo request id=3 seq=1", "dropped on the way to web: securityGroup"],
    ]);
    expect(everything.drops).toHaveLength(1);
    expect(parsePcap(everything.pcap()).frames).toHaveLength(2);
  });

  it("forget a guest's groups and connections when it leaves the switch", () => {
    const { network, web, client, toClient, reaches } = setup();
    network.defineGroup({ name: "closed", rules: [] });
    network.setGroups("web", ["closed"]);
    expect(reaches(web, client, echo({ ...toClient, type: 8, id: 1 }))).toBe(true);
    expect(network.connections()).toHaveLength(1);
    network.detach(web as never);
    expect(network.connections()).toEqual([]);
    expect(network.groups[0].guests).toEqual([]);
  });
});
