/**
 * Fuzzing security groups: rules as lab files and API callers write them (any value, and the
 * real web lab's groups mutated) are checked groups or a HyperlabError with a sentence; checked
 * rules judge any frame without throwing; the Network's group API answers any value the same way.
 */
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Guest } from "../guest/guest.js";
import { plugIn } from "../testing/fake-guest.js";
import { echo, tcp, udp } from "../testing/frames.js";
import { applyEdits, byteEdits, fuzz, mutatedJson, outcome } from "../testing/fuzz.js";
import { flowOf } from "./flow.js";
import { Network } from "./network.js";
import {
  checkGroups,
  checkRule,
  describeRule,
  ruleMatches,
  RULE_PROTOCOLS,
  type CheckedRule,
} from "./security-rules.js";

const webLab = JSON.parse(readFileSync(new URL("../../labs/web.lab.json", import.meta.url), "utf8"));
const realGroups: unknown[] = webLab.securityGroups;
const names = { groups: new Set(["admin"]), segments: new Set(["default", "lan"]) };

const anything = fc.anything({
  withBigInt: true,
  withNullPrototype: true,
  withSparseArray: true,
  withBoxedValues: true,
  withMap: true,
  maxDepth: 3,
});
/** A rule's fields as a user could get them wrong: edge text in each place, or anything at all. */
const ruleLike = fc.record(
  {
    protocol: fc.oneof(fc.constantFrom(...RULE_PROTOCOLS, "TCP", "", "icmp "), anything),
    ports: fc.oneof(fc.constantFrom("80", "0", "65535", "65536", "1-65535", "8080-80", "080", "1e3", " 80"), anything),
    source: fc.oneof(
      fc.constantFrom(
        "0.0.0.0/0",
        "10.0.1.0/24",
        "10.0.1.7/33",
        "256.0.0.0/8",
        "segment:lan",
        "segment:",
        "group:admin",
        "group:nope",
        ":x",
      ),
      fc.string({ maxLength: 30 }),
      anything,
    ),
  },
  { requiredKeys: [] },
);

function expectChecked(rule: CheckedRule): void {
  expect(RULE_PROTOCOLS).toContain(rule.spec.protocol);
  expect(typeof rule.spec.source).toBe("string");
  if (rule.ports) expect(1 <= rule.ports.from && rule.ports.from <= rule.ports.to && rule.ports.to <= 65535).toBe(true);
  expect(typeof describeRule(rule.spec)).toBe("string");
}

/** Any frame, or a real TCP, UDP or ICMP frame with damaged bytes. */
const frame = fc.oneof(
  fc.uint8Array({ maxLength: 200 }),
  fc
    .tuple(
      fc.constantFrom(
        tcp({ from: "10.0.1.11", to: "10.0.1.10", sport: 40000, dport: 80 }),
        udp({ from: "10.0.1.11", to: "10.0.1.10", sport: 5000, dport: 53 }),
        echo({ from: "10.0.1.11", to: "10.0.1.10", type: 8, id: 1 }),
      ),
      byteEdits({ maxEdits: 3, span: 60 }),
    )
    .map(([f, edits]) => applyEdits(f, edits)),
);

describe("security group rules (fuzzed)", () => {
  {
    const { title, options } = fuzz("checkRule on rules of any shape: a checked rule or a HyperlabError", 4000);
    it(title, () => {
      fc.assert(
        fc.property(fc.oneof(ruleLike, anything), (value) => {
          const result = outcome(() => checkRule(value, "web", 0, names));
          if (result.ok) expectChecked(result.value);
          else expect(result.error.code).toBe("invalid-spec");
        }),
        options,
      );
    });
  }

  {
    const { title, options } = fuzz("checkGroups on the web lab's groups mutated, and on any list", 3000);
    it(title, () => {
      fc.assert(
        fc.property(fc.oneof(mutatedJson(realGroups, 4), fc.array(anything, { maxLength: 4 })), (groups) => {
          const result = outcome(() => checkGroups(groups as unknown[], names));
          if (!result.ok) return;
          const seen = result.value.map((g) => g.name);
          expect(new Set(seen).size).toBe(seen.length);
          for (const group of result.value) group.rules.forEach(expectChecked);
        }),
        options,
      );
    });
  }

  {
    const { title, options } = fuzz("checked rules judge any frame without throwing", 3000);
    it(title, () => {
      const rules = checkGroups(realGroups, names).flatMap((g) => g.rules);
      rules.push(checkRule({ protocol: "udp", ports: "1-65535", source: "0.0.0.0/0" }, "web", 2, names));
      fc.assert(
        fc.property(
          frame,
          fc.constantFrom("lan", "default"),
          fc.subarray(["admin", "web"]),
          (bytes, segment, groups) => {
            const flow = flowOf(bytes);
            for (const rule of rules) expect(typeof ruleMatches(rule, flow, { segment, groups })).toBe("boolean");
          },
        ),
        options,
      );
    });
  }

  {
    const { title, options } = fuzz(
      "the Network's group API on any value: it acts or refuses, and traffic still flows",
      1000,
    );
    it(title, () => {
      fc.assert(
        fc.property(fc.oneof(mutatedJson(realGroups[0], 3), anything), anything, frame, (group, groups, bytes) => {
          const network = new Network({ clock: () => 0 });
          network.defineSegment("lan", "10.0.1.0/24");
          const [web, client] = ["web", "client"].map((name) => plugIn(network, name));
          network.defineGroup({ name: "admin", rules: [] });
          outcome(() => network.defineGroups([group as never]));
          outcome(() => network.setGroups(web as unknown as Guest, groups as string[]));
          outcome(() => network.addRule("admin", group as never));
          client.send(bytes);
          expect(network.groups.every((g) => typeof g.name === "string")).toBe(true);
        }),
        options,
      );
    });
  }
});
