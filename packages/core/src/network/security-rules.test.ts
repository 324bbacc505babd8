import { describe, expect, it } from "vitest";
import { isHyperlabError } from "../errors.js";
import { echo, tcp, udp } from "../testing/frames.js";
import { flowOf } from "./flow.js";
import { checkGroups, checkRule, describeRule, parseCidr, ruleMatches } from "./security-rules.js";

const names = { groups: new Set(["web", "admin"]), segments: new Set(["default", "lan"]) };

/** The error checkRule throws for `rule`, as code, reason and sentence. */
function refusal(rule: unknown): { code: string; reason: unknown; message: string; details: Record<string, unknown> } {
  try {
    checkRule(rule, "web", 1, names);
  } catch (error) {
    if (!isHyperlabError(error)) throw error;
    return { code: error.code, reason: error.details.reason, message: error.message, details: error.details };
  }
  throw new Error(`rule ${JSON.stringify(rule)} was not refused`);
}

describe("security group rules", () => {
  it("refuses bad rules with invalid-spec, a reason and a sentence naming the group and the rule", () => {
    const cases: [unknown, string, RegExp][] = [
      [
        { protocol: "tcp", ports: "70000", source: "0.0.0.0/0" },
        "rule-ports",
        /"70000" are not a port from 1 to 65535/,
      ],
      [{ protocol: "tcp", ports: "0", source: "0.0.0.0/0" }, "rule-ports", /"0"/],
      [{ protocol: "udp", ports: "8080-8000", source: "0.0.0.0/0" }, "rule-ports", /8080-8000/],
      [{ protocol: "tcp", ports: "80,443", source: "0.0.0.0/0" }, "rule-ports", /80,443/],
      [{ protocol: "tcp", ports: 80, source: "0.0.0.0/0" }, "rule-ports", /"80"/],
      [{ protocol: "icmp", ports: "80", source: "0.0.0.0/0" }, "rule-ports-protocol", /not with icmp/],
      [{ protocol: "tcpx", source: "0.0.0.0/0" }, "rule-protocol", /"tcpx" is not icmp, tcp, udp or any/],
      [{ source: "0.0.0.0/0" }, "rule-protocol", /"undefined"/],
      [{ protocol: "tcp", source: "10.0.0.300/8" }, "rule-source", /"10.0.0.300\/8" is not a CIDR/],
      [{ protocol: "tcp", source: "10.0.0.0/33" }, "rule-source", /is not a CIDR/],
      [{ protocol: "tcp", source: "10.0.0.1" }, "rule-source", /is not a CIDR/],
      [{ protocol: "tcp", source: "0x0a.0.0.0/8" }, "rule-source", /is not a CIDR/],
      [{ protocol: "tcp" }, "rule-source", /needs a source/],
      [{ protocol: "tcp", source: "group:db" }, "unknown-group", /"group:db" names no security group "db"/],
      [{ protocol: "tcp", source: "segment:dmz" }, "unknown-segment", /names no segment "dmz"/],
      [{ protocol: "tcp", port: "80", source: "0.0.0.0/0" }, "rule-field", /unknown field "port"/],
      ["tcp 80", "rule-shape", /must be an object/],
    ];
    for (const [rule, reason, sentence] of cases) {
      const error = refusal(rule);
      expect(error, JSON.stringify(rule)).toMatchObject({ code: "invalid-spec", reason });
      expect(error.message, JSON.stringify(rule)).toMatch(/^Security group "web", rule 2\b/);
      expect(error.message, JSON.stringify(rule)).toMatch(sentence);
      expect(error.details).toMatchObject({ group: "web", rule: 2 });
    }
  });

  it("accepts ports, ranges and each kind of source", () => {
    expect(checkRule({ protocol: "tcp", ports: "8000-8080", source: "10.0.1.7/24" }, "web", 0, names)).toMatchObject({
      protocol: 6,
      ports: { from: 8000, to: 8080 },
      source: { kind: "cidr", prefix: 24 },
    });
    expect(checkRule({ protocol: "any", source: "segment:lan" }, "web", 0, names).protocol).toBeUndefined();
    expect(checkRule({ protocol: "icmp", source: "group:admin" }, "web", 0, names).source).toEqual({
      kind: "group",
      name: "admin",
    });
    expect(parseCidr("0.0.0.0/0")).toEqual({ network: 0, prefix: 0 });
    expect(parseCidr("10.0.1.7/32")).toEqual({ network: 0x0a00_0107, prefix: 32 });
    expect(describeRule({ protocol: "tcp", ports: "80", source: "0.0.0.0/0" })).toBe("tcp 80 from 0.0.0.0/0");
  });

  it("checks groups as a set: names unique and usable, rules may name each other", () => {
    const none = { groups: new Set<string>(), segments: new Set(["default"]) };
    const groups = checkGroups(
      [
        { name: "web", rules: [{ protocol: "tcp", ports: "80", source: "group:client" }] },
        { name: "client", rules: [] },
      ],
      none,
    );
    expect(groups.map((g) => [g.name, g.rules.length])).toEqual([
      ["web", 1],
      ["client", 0],
    ]);
    const refused = (groups: unknown[]) => {
      try {
        checkGroups(groups, none);
      } catch (error) {
        return isHyperlabError(error) ? error.details.reason : error;
      }
    };
    expect(
      refused([
        { name: "a", rules: [] },
        { name: "a", rules: [] },
      ]),
    ).toBe("group-duplicate");
    expect(refused([{ name: "a b", rules: [] }])).toBe("group-name");
    expect(refused([{ name: "a" }])).toBe("group-rules");
    expect(refused([{ name: "a", rules: [], ingress: [] }])).toBe("group-field");
    expect(refused([{ name: "a", rules: [{ protocol: "tcp", source: "group:b" }] }])).toBe("unknown-group");
  });

  it("matches by protocol, destination port and source", () => {
    const rule = (spec: object) => checkRule(spec, "web", 0, names);
    const from = { segment: "lan", groups: ["admin"] };
    const http = flowOf(tcp({ from: "10.0.1.11", to: "10.0.1.10", sport: 40000, dport: 80 }));
    const dns = flowOf(udp({ from: "10.0.1.11", to: "10.0.1.10", sport: 40000, dport: 53 }));
    const ping = flowOf(echo({ from: "10.0.1.11", to: "10.0.1.10", type: 8, id: 1 }));
    expect(ruleMatches(rule({ protocol: "tcp", ports: "80", source: "10.0.1.0/24" }), http, from)).toBe(true);
    expect(ruleMatches(rule({ protocol: "tcp", ports: "81-90", source: "10.0.1.0/24" }), http, from)).toBe(false);
    expect(ruleMatches(rule({ protocol: "tcp", ports: "80", source: "10.0.2.0/24" }), http, from)).toBe(false);
    expect(ruleMatches(rule({ protocol: "tcp", source: "10.0.1.11/32" }), http, from)).toBe(true);
    expect(ruleMatches(rule({ protocol: "udp", source: "0.0.0.0/0" }), http, from)).toBe(false);
    expect(ruleMatches(rule({ protocol: "udp", ports: "53", source: "0.0.0.0/0" }), dns, from)).toBe(true);
    expect(ruleMatches(rule({ protocol: "icmp", source: "group:admin" }), ping, from)).toBe(true);
    expect(ruleMatches(rule({ protocol: "icmp", source: "group:web" }), ping, from)).toBe(false);
    expect(ruleMatches(rule({ protocol: "any", source: "segment:lan" }), ping, from)).toBe(true);
    expect(ruleMatches(rule({ protocol: "any", source: "segment:default" }), ping, from)).toBe(false);
    // A frame with no IPv4 flow (IPv6, say) has no address: only segment and group sources can let it in.
    expect(ruleMatches(rule({ protocol: "any", source: "0.0.0.0/0" }), undefined, from)).toBe(false);
    expect(ruleMatches(rule({ protocol: "any", source: "segment:lan" }), undefined, from)).toBe(true);
    expect(ruleMatches(rule({ protocol: "tcp", source: "segment:lan" }), undefined, from)).toBe(false);
  });
});

describe("security group rules from a caller", () => {
  it("refuse a hole in a sparse list instead of skipping it", () => {
    const names = { groups: new Set<string>(), segments: new Set(["default"]) };
    // eslint-disable-next-line no-sparse-arrays
    const rules = [, { protocol: "icmp", source: "0.0.0.0/0" }];
    expect(() => checkGroups([{ name: "web", rules }], names)).toThrow(/rule 1 must be an object/);
  });
});
