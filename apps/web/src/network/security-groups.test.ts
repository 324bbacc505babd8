import { isHyperlabError, parsePcap, parsePcapng } from "@hyperlab/core";
import { describe, expect, it } from "vitest";
import { createdOnlyHypervisor } from "../testing/hypervisor";
import { NetworkModel } from "./network.svelte";
import { SecurityGroupsModel } from "./security-groups.svelte";

describe("the security groups model", () => {
  it("creates groups, adds and removes rules, attaches them to guests and follows the network", async () => {
    const hv = createdOnlyHypervisor();
    await hv.create({ image: "linux", name: "web", net: "virtio" });
    await hv.create({ image: "linux", name: "nonic" });
    const model = new SecurityGroupsModel(hv);
    expect(model.ports.map((p) => [p.guest, p.groups])).toEqual([["web", []]]);

    model.addGroup("web");
    model.addRule("web", { protocol: "tcp", ports: " 80 ", source: "segment:default" });
    model.addRule("web", { protocol: "icmp", ports: "", source: "0.0.0.0/0" });
    expect(model.groups).toEqual([
      {
        name: "web",
        rules: [
          { protocol: "tcp", ports: "80", source: "segment:default", matches: 0 },
          { protocol: "icmp", source: "0.0.0.0/0", matches: 0 },
        ],
        guests: [],
        dropped: 0,
      },
    ]);
    expect(model.sources).toEqual(["0.0.0.0/0", "segment:default", "group:web"]);

    model.setAttached("web", "web", true);
    expect(model.ports[0].groups).toEqual(["web"]);
    expect(model.groups[0].guests).toEqual(["web"]);
    model.removeRule("web", 0);
    expect(model.groups[0].rules.map((r) => r.protocol)).toEqual(["icmp"]);
    model.setAttached("web", "web", false);
    model.removeGroup("web");
    expect(model.groups).toEqual([]);
    model.dispose();
  });

  it("lets the core refuse a bad rule with its reason, changing nothing", async () => {
    const hv = createdOnlyHypervisor();
    const model = new SecurityGroupsModel(hv);
    model.addGroup("web");
    let reason: unknown;
    try {
      model.addRule("web", { protocol: "tcp", ports: "70000", source: "0.0.0.0/0" });
    } catch (error) {
      reason = isHyperlabError(error) ? error.details.reason : error;
    }
    expect(reason).toBe("rule-ports");
    expect(model.groups[0].rules).toEqual([]);
    model.dispose();
  });
});

describe("the network view's capture", () => {
  it("keeps the frames a security group dropped apart, as pcapng with where and why", async () => {
    const hv = createdOnlyHypervisor();
    await hv.create({ image: "linux", name: "a", net: "virtio" });
    await hv.create({ image: "linux", name: "b", net: "virtio" });
    hv.network.defineGroup({ name: "closed", rules: [] });
    hv.network.setGroups("a", ["closed"]);
    const model = new NetworkModel(hv);
    model.startCapture("segment:default");

    // An ICMP echo request from b to a (Ethernet II, IPv4, 10.0.0.11 → 10.0.0.10).
    const frame = new Uint8Array(60);
    frame.set(
      hv.network
        .port("a")
        .mac.split(":")
        .map((x) => parseInt(x, 16)),
      0,
    );
    frame.set(
      hv.network
        .port("b")
        .mac.split(":")
        .map((x) => parseInt(x, 16)),
      6,
    );
    frame.set(
      [0x08, 0x00, 0x45, 0, 0, 28, 0, 0, 0x40, 0, 64, 1, 0, 0, 10, 0, 0, 11, 10, 0, 0, 10, 8, 0, 0, 0, 0, 1, 0, 1],
      12,
    );
    hv.network.switch.receive(
      hv.network.switch.ports.find((p) => p.name === "b")!,
      frame,
    );

    const pcap = model.stopCapture()!;
    expect(parsePcap(new Uint8Array(await pcap.arrayBuffer())).frames).toHaveLength(1);
    expect(model.lastDrops?.frames).toBe(1);
    const dropped = parsePcapng(new Uint8Array(await model.lastDrops!.blob.arrayBuffer()));
    expect(dropped.frames.map((f) => f.note)).toEqual(["dropped on the way to a: securityGroup"]);
    model.dispose();
  });
});
