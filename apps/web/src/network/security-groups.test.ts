import { isHyperlabError } from "@hyperlab/core";
import { describe, expect, it } from "vitest";
import { createdOnlyHypervisor } from "../testing/hypervisor";
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
