/**
 * Security group rules: what lab files and the API write, how they are checked (every refusal
 * is an `invalid-spec` HyperlabError whose `details.reason` says which rule of which group is
 * wrong and how), and how a checked rule matches a frame. Rules allow inbound traffic only;
 * whatever no rule allows is dropped (see SecurityGroups).
 */
import { HyperlabError } from "../errors.js";
import { isName, NAME_RULE } from "../spec.js";
import { mask } from "./dhcp.js";
import { IP_ICMP, IP_TCP, IP_UDP } from "./frame.js";
import type { Flow } from "./flow.js";

export type RuleProtocol = "icmp" | "tcp" | "udp" | "any";
export const RULE_PROTOCOLS: readonly RuleProtocol[] = ["icmp", "tcp", "udp", "any"];

/** One inbound rule: traffic of `protocol` (to `ports`, for tcp and udp) from `source` is let in. */
export interface SecurityRule {
  protocol: RuleProtocol;
  /** tcp and udp only: one port ("80") or a range ("8000-8080"); none means every port. */
  ports?: string;
  /** An IPv4 CIDR ("10.0.1.0/24", "0.0.0.0/0"), "segment:NAME" or "group:NAME". */
  source: string;
}

export interface SecurityGroupSpec {
  name: string;
  rules: SecurityRule[];
}

/** Where a rule lets traffic in from: an address block, a segment's ports, or the guests of a group. */
export type RuleSource =
  | { kind: "cidr"; network: number; prefix: number }
  | { kind: "segment"; name: string }
  | { kind: "group"; name: string };

/** A checked rule, ready to match frames, with its counter. */
export interface CheckedRule {
  spec: SecurityRule;
  /** The IP protocol number; undefined for "any". */
  protocol?: number;
  ports?: { from: number; to: number };
  source: RuleSource;
  /** Frames this rule let in. */
  matches: number;
}

/** What a rule may name: the groups and segments that exist (or are declared with it). */
export interface RuleNames {
  groups: ReadonlySet<string>;
  segments: ReadonlySet<string>;
}

const PROTOCOL_NUMBERS: Record<RuleProtocol, number | undefined> = {
  icmp: IP_ICMP,
  tcp: IP_TCP,
  udp: IP_UDP,
  any: undefined,
};
const RULE_KEYS = ["protocol", "ports", "source"];
const GROUP_KEYS = ["name", "rules"];
/** Decimal only: "80", "8000-8080". */
const PORTS = /^(\d{1,5})(?:-(\d{1,5}))?$/;
/** Decimal octets and a prefix from 0 to 32 (0.0.0.0/0 is everyone). */
const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** A value as a sentence shows it; never throws (a caller may pass a bigint or an object without a prototype). */
function shown(value: unknown): string {
  if (typeof value === "string") return value;
  try {
    return JSON.stringify(value) ?? typeof value;
  } catch {
    return typeof value;
  }
}

function refuse(reason: string, sentence: string, details: Record<string, unknown>): never {
  throw new HyperlabError("invalid-spec", sentence, { reason, ...details });
}

/** "10.0.1.0/24" → network and prefix (host bits cleared), or undefined if it is no IPv4 CIDR. */
export function parseCidr(text: string): { network: number; prefix: number } | undefined {
  const match = CIDR.exec(text);
  if (!match) return undefined;
  const [a, b, c, d, prefix] = match.slice(1).map(Number);
  if ([a, b, c, d].some((octet) => octet > 255) || prefix > 32) return undefined;
  const ip = ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
  return { network: (ip & mask(prefix)) >>> 0, prefix };
}

function parsePorts(text: string): { from: number; to: number } | undefined {
  const match = PORTS.exec(text);
  if (!match) return undefined;
  const from = Number(match[1]);
  const to = match[2] === undefined ? from : Number(match[2]);
  return from >= 1 && to <= 65535 && from <= to ? { from, to } : undefined;
}

/** A rule as one line: "tcp 80 from 10.0.1.0/24", "icmp from group:admin". */
export function describeRule(rule: SecurityRule): string {
  return `${rule.protocol}${rule.ports ? ` ${rule.ports}` : ""} from ${rule.source}`;
}

/** Checks one rule of group `group` (its `index`, from 0) against the names that exist. */
export function checkRule(value: unknown, group: string, index: number, names: RuleNames): CheckedRule {
  const rule = index + 1;
  const where = `Security group "${group}", rule ${rule}`;
  const at = { group, rule };
  if (typeof value !== "object" || value === null || Array.isArray(value))
    refuse("rule-shape", `${where} must be an object with protocol, source and optionally ports.`, at);
  const fields = value as Record<string, unknown>;
  const unknown = Object.keys(fields).find((key) => !RULE_KEYS.includes(key));
  if (unknown !== undefined)
    refuse("rule-field", `${where} has an unknown field "${unknown}"; a rule has protocol, ports and source.`, {
      ...at,
      value: unknown,
    });

  const { protocol, ports, source } = fields;
  if (typeof protocol !== "string" || !(RULE_PROTOCOLS as readonly string[]).includes(protocol))
    refuse("rule-protocol", `${where}: the protocol "${shown(protocol)}" is not icmp, tcp, udp or any.`, {
      ...at,
      value: shown(protocol),
    });
  const spec: SecurityRule = { protocol: protocol as RuleProtocol, source: source as string };

  let range: CheckedRule["ports"];
  if (ports !== undefined) {
    if (protocol !== "tcp" && protocol !== "udp")
      refuse("rule-ports-protocol", `${where}: ports go with tcp or udp, not with ${protocol}.`, {
        ...at,
        protocol,
      });
    range = typeof ports === "string" ? parsePorts(ports) : undefined;
    if (!range)
      refuse(
        "rule-ports",
        `${where}: the ports "${shown(ports)}" are not a port from 1 to 65535 or a range such as 8000-8080.`,
        { ...at, value: shown(ports) },
      );
    spec.ports = ports as string;
  }

  if (typeof source !== "string")
    refuse("rule-source", `${where} needs a source: a CIDR such as 10.0.1.0/24, "segment:NAME" or "group:NAME".`, {
      ...at,
      value: shown(source),
    });
  let checkedSource: RuleSource;
  const colon = source.indexOf(":");
  const kind = colon > 0 ? source.slice(0, colon) : "";
  const name = source.slice(colon + 1);
  if (kind === "segment" || kind === "group") {
    const known = kind === "segment" ? names.segments : names.groups;
    if (!known.has(name))
      refuse(
        kind === "segment" ? "unknown-segment" : "unknown-group",
        `${where}: the source "${source}" names no ${kind === "segment" ? "segment" : "security group"} "${name}".`,
        { ...at, value: name },
      );
    checkedSource = { kind, name };
  } else {
    const cidr = parseCidr(source);
    if (!cidr)
      refuse(
        "rule-source",
        `${where}: the source "${source}" is not a CIDR such as 10.0.1.0/24, "segment:NAME" or "group:NAME".`,
        { ...at, value: source },
      );
    checkedSource = { kind: "cidr", ...cidr };
  }
  return { spec, protocol: PROTOCOL_NUMBERS[spec.protocol], ports: range, source: checkedSource, matches: 0 };
}

/** Checks one group: its name, its fields and each of its rules. */
export function checkGroup(value: unknown, names: RuleNames): { name: string; rules: CheckedRule[] } {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    refuse("group-shape", "A security group must be an object with a name and a list of rules.", {});
  const fields = value as Record<string, unknown>;
  const { name, rules } = fields;
  if (!isName(name))
    refuse("group-name", `"${shown(name)}" is not a usable security group name: use ${NAME_RULE}.`, {
      value: shown(name),
    });
  const unknown = Object.keys(fields).find((key) => !GROUP_KEYS.includes(key));
  if (unknown !== undefined)
    refuse("group-field", `Security group "${name}" has an unknown field "${unknown}"; a group has name and rules.`, {
      group: name,
      value: unknown,
    });
  if (!Array.isArray(rules))
    refuse("group-rules", `Security group "${name}" needs "rules" as a list (an empty list lets nothing in).`, {
      group: name,
    });
  // Array.from, not map: a hole in a caller's sparse list is a rule to refuse, not one to skip.
  return { name, rules: Array.from(rules as unknown[], (rule, index) => checkRule(rule, name, index, names)) };
}

/**
 * Checks a set of groups together (their rules may name each other): each group as checkGroup
 * does, and unique names. `names.groups` holds groups that exist beside them.
 */
export function checkGroups(values: readonly unknown[], names: RuleNames): { name: string; rules: CheckedRule[] }[] {
  if (!Array.isArray(values))
    refuse("groups-shape", `Security groups are given as a list, not ${shown(values)}.`, { value: shown(values) });
  const declared = new Set(names.groups);
  const seen = new Set<string>();
  for (const value of values) {
    const name = (value as { name?: unknown } | null)?.name;
    if (typeof name !== "string") continue;
    if (seen.has(name))
      refuse("group-duplicate", `Two security groups are named "${name}"; names must be unique.`, { group: name });
    seen.add(name);
    declared.add(name);
  }
  return Array.from(values, (value) => checkGroup(value, { groups: declared, segments: names.segments }));
}

/**
 * Whether a rule lets a frame in: its protocol, its destination port and where it comes from
 * (the IPv4 source address for a CIDR; the sending port's segment or groups otherwise). Frames
 * that are not IPv4 (IPv6, other EtherTypes) carry no address, so only "any" rules whose
 * source is a segment or a group can let them in.
 */
export function ruleMatches(
  rule: CheckedRule,
  flow: Flow | undefined,
  from: { segment: string; groups: readonly string[] },
): boolean {
  if (rule.protocol !== undefined && flow?.protocol !== rule.protocol) return false;
  if (rule.ports && !(flow && flow.destinationPort >= rule.ports.from && flow.destinationPort <= rule.ports.to))
    return false;
  const { source } = rule;
  if (source.kind === "segment") return from.segment === source.name;
  if (source.kind === "group") return from.groups.includes(source.name);
  return flow !== undefined && (flow.source & mask(source.prefix)) >>> 0 === source.network;
}
