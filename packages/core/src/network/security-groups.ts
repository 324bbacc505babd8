/**
 * Security groups, as EC2 and OpenStack put them in front of every instance: named sets of
 * inbound rules attached to guests' switch ports, enforced on the host side of the switch
 * (the guest cannot turn them off). A port with no group is open, as every port was before
 * groups existed. A port with groups lets a frame in when
 *   - it is ARP, or it comes from the segment's own DHCP server (which only answers), or
 *   - it answers a connection the guest opened (the connection table), or
 *   - a rule of one of its groups allows it — checked again for every frame, so an edit acts at
 *     once on flows already under way (an established flow that loses its rule is cut);
 * everything else is dropped and counted: on the port (`drops.securityGroup`), in the packet
 * log, and per group. Outbound traffic is always allowed. Each rule counts the frames it let in.
 */
import { HyperlabError, shownValue } from "../errors.js";
import { ConnectionTable, type Connection, type ConnectionTableOptions } from "./connections.js";
import { ETHERNET_HEADER, ETHERTYPE_ARP, etherType } from "./frame.js";
import { flowOf } from "./flow.js";
import type { Clock } from "./rate-limiter.js";
import {
  checkGroups,
  checkRule,
  ruleMatches,
  type CheckedRule,
  type RuleNames,
  type SecurityRule,
} from "./security-rules.js";
import type { SwitchFilter, SwitchPort } from "./switch.js";

/** A rule as the API lists it: as written, with the frames it let in. */
export interface RuleInfo extends SecurityRule {
  matches: number;
}

export interface SecurityGroupInfo {
  name: string;
  rules: RuleInfo[];
  /** The guests whose ports carry this group. */
  guests: string[];
  /** Frames dropped at those ports because no rule of their groups let them in. */
  dropped: number;
}

interface Group {
  name: string;
  rules: CheckedRule[];
  dropped: number;
}

export interface SecurityGroupsOptions {
  clock: Clock;
  /** The names of the segments there are, which rules may name as a source. */
  segments: () => Iterable<string>;
  connections?: ConnectionTableOptions;
}

export class SecurityGroups implements SwitchFilter {
  readonly connections: ConnectionTable;
  private readonly groupMap = new Map<string, Group>();
  /** The groups of each guarded port, in the order they were given. */
  private readonly attached = new Map<SwitchPort, string[]>();
  private readonly segments: () => Iterable<string>;

  constructor(options: SecurityGroupsOptions) {
    this.connections = new ConnectionTable(options.clock, options.connections);
    this.segments = options.segments;
  }

  private names(extra: readonly string[] = []): RuleNames {
    return { groups: new Set([...this.groupMap.keys(), ...extra]), segments: new Set(this.segments()) };
  }

  /**
   * Creates groups, or replaces the rules of groups with those names (live: traffic is judged by
   * the new rules from the next frame on). The set is checked whole first: a bad rule anywhere
   * changes nothing. Rules may name the groups being defined and those that exist.
   */
  define(specs: readonly unknown[]): void {
    const checked = checkGroups(specs, this.names());
    for (const { name, rules } of checked) {
      const existing = this.groupMap.get(name);
      if (existing) existing.rules = rules;
      else this.groupMap.set(name, { name, rules, dropped: 0 });
    }
  }

  private group(name: string): Group {
    const group = typeof name === "string" ? this.groupMap.get(name) : undefined;
    if (!group)
      throw new HyperlabError("invalid-spec", `There is no security group "${shownValue(name)}".`, {
        reason: "unknown-group",
        value: shownValue(name),
      });
    return group;
  }

  /** Adds a rule at the end of a group (live). */
  addRule(name: string, rule: SecurityRule): void {
    const group = this.group(name);
    group.rules = [...group.rules, checkRule(rule, name, group.rules.length, this.names())];
  }

  /** Removes a group's rule by its index, from 0 (live: flows it let in are cut). */
  removeRule(name: string, index: number): void {
    const group = this.group(name);
    if (!Number.isInteger(index) || index < 0 || index >= group.rules.length)
      throw new HyperlabError(
        "invalid-spec",
        `Security group "${name}" has ${group.rules.length} rules; there is no rule ${index + 1}.`,
        { reason: "unknown-rule", group: name, rule: index + 1 },
      );
    group.rules = group.rules.filter((_, i) => i !== index);
  }

  /** Deletes a group that no guest carries and no other group's rule names (as EC2 refuses one in use). */
  remove(name: string): void {
    this.group(name);
    const carriers = [...this.attached].filter(([, names]) => names.includes(name)).map(([port]) => port.name);
    if (carriers.length)
      throw new HyperlabError(
        "invalid-state",
        `Security group "${name}" is attached to ${carriers.join(", ")}; detach it before deleting it.`,
        { reason: "group-in-use", group: name, guests: carriers.join(", ") },
      );
    const referrer = [...this.groupMap.values()].find(
      (g) => g.name !== name && g.rules.some((r) => r.source.kind === "group" && r.source.name === name),
    );
    if (referrer)
      throw new HyperlabError(
        "invalid-state",
        `Security group "${name}" is the source of a rule of group "${referrer.name}"; remove that rule first.`,
        { reason: "group-referenced", group: name, referrer: referrer.name },
      );
    this.groupMap.delete(name);
  }

  /**
   * Sets the groups of a port (replacing its old ones; live). No groups makes the port open
   * again and forgets its connections.
   */
  attach(port: SwitchPort, names: readonly string[]): void {
    if (!Array.isArray(names))
      throw new HyperlabError(
        "invalid-spec",
        `The security groups of guest "${port.name}" are a list of names, not ${shownValue(names)}.`,
        {
          reason: "groups-shape",
          guest: port.name,
        },
      );
    const seen = new Set<string>();
    for (const name of names) {
      this.group(name);
      if (seen.has(name))
        throw new HyperlabError("invalid-spec", `Guest "${port.name}" is given security group "${name}" twice.`, {
          reason: "group-twice",
          guest: port.name,
          group: name,
        });
      seen.add(name);
    }
    if (names.length === 0) {
      this.forget(port);
      return;
    }
    this.attached.set(port, [...names]);
  }

  /** The port leaves the switch: its groups and connections go. */
  forget(port: SwitchPort): void {
    this.attached.delete(port);
    this.connections.forgetPort(port.id);
  }

  groupsOf(port: SwitchPort): string[] {
    return [...(this.attached.get(port) ?? [])];
  }

  /** Each group with its rules, their counters and the guests that carry it. */
  list(): SecurityGroupInfo[] {
    return [...this.groupMap.values()].map((group) => ({
      name: group.name,
      rules: group.rules.map((rule) => ({ ...rule.spec, matches: rule.matches })),
      guests: [...this.attached].filter(([, names]) => names.includes(group.name)).map(([port]) => port.name),
      dropped: group.dropped,
    }));
  }

  /** The tracked connections of one port, or of all. */
  connectionsOf(port?: SwitchPort): Connection[] {
    return this.connections.list(port?.id);
  }

  sent(port: SwitchPort, frame: Uint8Array): void {
    if (!this.attached.has(port)) return;
    const flow = flowOf(frame);
    if (flow) this.connections.sent(port.id, flow);
  }

  admits(from: SwitchPort, to: SwitchPort, frame: Uint8Array): boolean {
    const names = this.attached.get(to);
    if (!names) return true;
    // Address resolution and the segment's own services (DHCP, which only answers) keep working.
    if (from.kind === "service" || (frame.length >= ETHERNET_HEADER && etherType(frame) === ETHERTYPE_ARP)) return true;
    const flow = flowOf(frame);
    if (flow && this.connections.answers(to.id, flow)) return true;
    const sender = { segment: from.segment, groups: this.attached.get(from) ?? [] };
    for (const name of names)
      for (const rule of this.groupMap.get(name)!.rules)
        if (ruleMatches(rule, flow, sender)) {
          rule.matches++;
          if (flow) this.connections.admitted(to.id, flow);
          return true;
        }
    for (const name of names) this.groupMap.get(name)!.dropped++;
    return false;
  }
}
