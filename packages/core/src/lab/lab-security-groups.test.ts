import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { refusalOf } from "../testing/refusal.js";
import { guestSpec, parseLab } from "./lab.js";

const WEB = { name: "web", rules: [{ protocol: "tcp", ports: "80", source: "segment:lan" }] };

const lab = (fields: Record<string, unknown> = {}) =>
  JSON.stringify({
    version: 1,
    name: "l",
    segments: [{ name: "lan", subnet: "10.0.1.0/24" }],
    securityGroups: [WEB],
    guests: [{ name: "web", image: "linux", net: "virtio", segment: "lan", groups: ["web"] }],
    ...fields,
  });

const refusal = (text: string) => refusalOf(() => parseLab(text, "my.lab.json"));

describe("lab files with security groups", () => {
  it("read the groups and each guest's groups, which are no part of the guest's spec", () => {
    const parsed = parseLab(lab());
    expect(parsed.securityGroups).toEqual([WEB]);
    expect(parsed.guests[0].groups).toEqual(["web"]);
    expect(guestSpec(parsed.guests[0])).toEqual({ name: "web", image: "linux", net: "virtio" });
  });

  it("keep every lab without them as it was", () => {
    const pair = parseLab(readFileSync(new URL("../../labs/pair.lab.json", import.meta.url), "utf8"));
    expect(pair.securityGroups).toBeUndefined();
    expect(pair.guests.every((g) => g.groups === undefined)).toBe(true);
  });

  it("read the example lab", () => {
    const web = parseLab(readFileSync(new URL("../../labs/web.lab.json", import.meta.url), "utf8"));
    expect(web.securityGroups?.map((g) => g.name)).toEqual(["web", "admin"]);
    expect(web.guests.map((g) => [g.name, g.groups])).toEqual([
      ["web", ["web"]],
      ["client", undefined],
    ]);
  });

  it("let rules name the default segment, the lab's segments and its other groups", () => {
    const parsed = parseLab(
      lab({
        securityGroups: [
          {
            name: "web",
            rules: [
              { protocol: "any", source: "segment:default" },
              { protocol: "icmp", source: "group:admin" },
            ],
          },
          { name: "admin", rules: [] },
        ],
      }),
    );
    expect(parsed.securityGroups?.map((g) => g.rules.length)).toEqual([2, 0]);
  });

  it.each([
    [
      "port 70000",
      { rules: [{ protocol: "tcp", ports: "70000", source: "0.0.0.0/0" }] },
      "rule-ports",
      /ports "70000"/,
    ],
    [
      "a CIDR that is no CIDR",
      { rules: [{ protocol: "tcp", source: "10.0.0/8" }] },
      "rule-source",
      /"10\.0\.0\/8" is not a CIDR/,
    ],
    [
      "an unknown group",
      { rules: [{ protocol: "icmp", source: "group:db" }] },
      "unknown-group",
      /names no security group "db"/,
    ],
    [
      "an unknown segment",
      { rules: [{ protocol: "icmp", source: "segment:dmz" }] },
      "unknown-segment",
      /names no segment "dmz"/,
    ],
    ["a protocol it does not know", { rules: [{ protocol: "sctp", source: "0.0.0.0/0" }] }, "rule-protocol", /"sctp"/],
  ])("refuse a rule with %s, naming the file, the group and the rule", (_what, group, reason, message) => {
    const error = refusal(lab({ securityGroups: [{ name: "web", ...group }] }));
    expect(error.code).toBe("invalid-spec");
    expect(error.details).toMatchObject({ reason, group: "web", rule: 1, source: "my.lab.json" });
    expect(error.message).toMatch(/^my\.lab\.json: securityGroups: Security group "web", rule 1: /);
    expect(error.message).toMatch(message);
  });

  it.each([
    ["securityGroups that are no list", lab({ securityGroups: { web: [] } }), /"securityGroups" must be a list/],
    ["two groups of one name", lab({ securityGroups: [WEB, WEB] }), /Two security groups are named "web"/],
    [
      "a guest in a group the lab does not declare",
      lab({ guests: [{ name: "web", image: "linux", net: "virtio", groups: ["db"] }] }),
      /Guest "web" is in security group "db", which the lab does not declare \(securityGroups: web\)/,
    ],
    [
      "a guest's groups that are no list of names",
      lab({ guests: [{ name: "web", image: "linux", net: "virtio", groups: "web" }] }),
      /Guest "web" has "groups" "web"; it is a list of security group names/,
    ],
    [
      "a group given twice",
      lab({ guests: [{ name: "web", image: "linux", net: "virtio", groups: ["web", "web"] }] }),
      /lists security group "web" twice/,
    ],
    [
      "groups on a guest without a NIC",
      lab({ guests: [{ name: "web", image: "linux", groups: ["web"] }] }),
      /Guest "web" is in security groups but has no network card/,
    ],
  ])("refuse %s", (_what, text, message) => {
    const error = refusal(text);
    expect(error.code).toBe("invalid-spec");
    expect(error.message).toMatch(message);
    expect(error.message.startsWith("my.lab.json: ")).toBe(true);
  });
});
