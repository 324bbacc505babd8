import { HyperlabError, isHyperlabError, shownValue } from "../errors.js";
import { MAX_PREFIX, MIN_PREFIX, parseSubnet, subnetsOverlap, type Subnet } from "../network/dhcp.js";
import { DEFAULT_SEGMENT } from "../network/network.js";
import { checkGroups, type SecurityGroupSpec } from "../network/security-rules.js";
import { isName, NAME_RULE, validateSpec, type ConsoleChoice, type GuestSpec, type NicModel } from "../spec.js";
import { checkLabAddresses } from "./admission.js";
import { checkFlavor, flavorSize, type Flavor } from "./flavor.js";

/** A network segment: an isolated L2 switch that guests' NICs plug into. */
export interface LabSegment {
  name: string;
  /** An IPv4 subnet in CIDR notation, e.g. "10.0.1.0/24", for the lab's addressing. */
  subnet?: string;
}

/** One guest of a lab: a guest spec for a catalog image, plus the segment its NIC joins. */
export interface LabGuest {
  name: string;
  /** A catalog image id. */
  image: string;
  /** A flavor of the lab: its memory, weight and cap, unless the guest gives its own. */
  flavor?: string;
  memoryMiB?: number;
  console?: ConsoleChoice;
  net?: NicModel;
  weight?: number;
  cap?: number;
  balloon?: boolean;
  segment?: string;
  /** Security groups of the lab on the guest's NIC; none: its segment reaches it unfiltered. */
  groups?: string[];
}

/** A lab file (version 1): named guests and the segments they share. */
export interface Lab {
  version: 1;
  name: string;
  title?: string;
  description?: string;
  guests: LabGuest[];
  segments: LabSegment[];
  /** Optional: sizes the guests refer to by name. */
  flavors?: Flavor[];
  /** Optional: firewalls in front of the guests that name them in `groups`. */
  securityGroups?: SecurityGroupSpec[];
}

const LAB_KEYS = ["version", "name", "title", "description", "guests", "segments", "flavors", "securityGroups"];
const GUEST_KEYS = [
  "name",
  "image",
  "flavor",
  "memoryMiB",
  "console",
  "net",
  "weight",
  "cap",
  "balloon",
  "segment",
  "groups",
];
const SEGMENT_KEYS = ["name", "subnet"];
const FLAVOR_KEYS = ["name", "memoryMiB", "weight", "cap"];

type Fields = Record<string, unknown>;

/** A value as JSON, for a sentence about it; never throws (a caller's value may be a bigint). */
function quoted(value: unknown): string {
  try {
    return JSON.stringify(value) ?? shownValue(value);
  } catch {
    return shownValue(value);
  }
}

/** Everything about a lab is checked before a guest is created: a bad lab is refused whole. */
class LabReader {
  constructor(private readonly source: string) {}

  fail(sentence: string, field: string): never {
    throw new HyperlabError("invalid-spec", `${this.source}: ${sentence}`, { field, source: this.source });
  }

  object(value: unknown, what: string, field: string): Fields {
    if (!value || typeof value !== "object" || Array.isArray(value)) this.fail(`${what} must be a JSON object.`, field);
    return value as Fields;
  }

  onlyKnownKeys(fields: Fields, known: string[], what: string, field: string): void {
    const unknown = Object.keys(fields).find((key) => !known.includes(key));
    if (unknown !== undefined)
      this.fail(
        `${what} has an unknown field "${unknown}" (known fields: ${known.join(", ")}).`,
        `${field}.${unknown}`,
      );
    // null is not "the default": the guest spec's rules would let it through as one and the lab would carry it.
    const empty = known.find((key) => fields[key] === null);
    if (empty !== undefined)
      this.fail(`${what} has "${empty}": null; leave the field out for its default.`, `${field}.${empty}`);
  }

  text(fields: Fields, key: string, what: string, field: string, required: boolean): string | undefined {
    const value = fields[key];
    if (value === undefined && !required) return undefined;
    if (typeof value !== "string" || !value) this.fail(`${what} needs "${key}" as non-empty text.`, `${field}.${key}`);
    return value;
  }

  name(fields: Fields, what: string, field: string): string {
    const name = this.text(fields, "name", what, field, true)!;
    if (!isName(name)) this.fail(`${what} has the name "${name}"; use ${NAME_RULE}.`, `${field}.name`);
    return name;
  }

  /** A list of named items (`key` of the lab), each read by `item`, with unique names; `required`: one or more. */
  list<T extends { name: string }>(
    lab: Fields,
    key: string,
    item: (value: unknown, index: number) => T,
    required = false,
  ): T[] {
    const value = lab[key];
    if (required && (!Array.isArray(value) || value.length === 0))
      this.fail(`"${key}" must be a list with at least one ${key.replace(/s$/, "")}.`, key);
    if (value !== undefined && !Array.isArray(value)) this.fail(`"${key}" must be a list.`, key);
    // Array.from, not map: a caller's sparse list has holes that map would skip and leave empty.
    const items = Array.from((value as unknown[] | undefined) ?? [], item);
    const seen = new Set<string>();
    for (const { name } of items) {
      if (seen.has(name)) this.fail(`Two ${key} are named "${name}"; names must be unique.`, key);
      seen.add(name);
    }
    return items;
  }

  /** Runs a check of the guest spec's rules; its error keeps the core's code and says whose it is. */
  specRules(what: string, details: Record<string, unknown>, check: () => void): void {
    try {
      check();
    } catch (error) {
      if (!isHyperlabError(error)) throw error;
      throw new HyperlabError(error.code, `${this.source}: ${what}: ${error.message}`, {
        ...error.details,
        ...details,
        source: this.source,
      });
    }
  }

  segment(value: unknown, index: number): LabSegment & { parsed?: Subnet } {
    const field = `segments[${index}]`;
    const fields = this.object(value, `Segment ${index + 1}`, field);
    const name = this.name(fields, `Segment ${index + 1}`, field);
    const what = `Segment "${name}"`;
    this.onlyKnownKeys(fields, SEGMENT_KEYS, what, field);
    const subnet = this.text(fields, "subnet", what, field, false);
    if (subnet === undefined) return { name };
    try {
      return { name, subnet, parsed: parseSubnet(subnet) };
    } catch {
      this.fail(
        `${what} has the subnet "${subnet}"; write it as an IPv4 CIDR from /${MIN_PREFIX} to /${MAX_PREFIX}, such as 10.0.1.0/24.`,
        `${field}.subnet`,
      );
    }
  }

  /** Segments are isolated switches, but one lab's addresses must say which segment they are on. */
  noOverlaps(segments: (LabSegment & { parsed?: Subnet })[]): void {
    segments.forEach((x, i) => {
      const y = segments.slice(0, i).find((s) => x.parsed && s.parsed && subnetsOverlap(x.parsed, s.parsed));
      if (y)
        this.fail(
          `Segments "${y.name}" (${y.subnet}) and "${x.name}" (${x.subnet}) overlap; give each segment its own subnet.`,
          `segments[${i}].subnet`,
        );
    });
  }

  flavor(value: unknown, index: number): Flavor {
    const field = `flavors[${index}]`;
    const fields = this.object(value, `Flavor ${index + 1}`, field);
    const name = this.name(fields, `Flavor ${index + 1}`, field);
    const what = `Flavor "${name}"`;
    this.onlyKnownKeys(fields, FLAVOR_KEYS, what, field);
    if (typeof fields.memoryMiB !== "number") this.fail(`${what} needs "memoryMiB" as a number.`, `${field}.memoryMiB`);
    const flavor = { ...(fields as unknown as Flavor) };
    this.specRules(what, { flavor: name }, () => checkFlavor(flavor));
    return flavor;
  }

  /** The lab's security groups, checked by the network's own rules; rules may name the lab's segments. */
  securityGroups(fields: Fields, segments: LabSegment[]): SecurityGroupSpec[] {
    const value = fields.securityGroups;
    if (value === undefined) return [];
    if (!Array.isArray(value)) this.fail(`"securityGroups" must be a list.`, "securityGroups");
    const names = { groups: new Set<string>(), segments: new Set([DEFAULT_SEGMENT, ...segments.map((s) => s.name)]) };
    let checked: ReturnType<typeof checkGroups> = [];
    this.specRules("securityGroups", { field: "securityGroups" }, () => (checked = checkGroups(value, names)));
    return checked.map(({ name, rules }) => ({ name, rules: rules.map((rule) => ({ ...rule.spec })) }));
  }

  /** A guest's `groups`: names of the lab's security groups, each once, on a guest with a NIC. */
  groups(guest: LabGuest, what: string, field: string, declared: SecurityGroupSpec[]): void {
    const { groups } = guest;
    if (groups === undefined) return;
    // Array.from: a caller's sparse list has holes that some() would skip.
    if (!Array.isArray(groups) || Array.from(groups).some((g) => typeof g !== "string"))
      this.fail(`${what} has "groups" ${quoted(groups)}; it is a list of security group names.`, `${field}.groups`);
    const unknown = groups.find((g) => !declared.some((d) => d.name === g));
    if (unknown !== undefined)
      this.fail(
        `${what} is in security group "${unknown}", which the lab does not declare (securityGroups: ${declared.map((g) => g.name).join(", ") || "none"}).`,
        `${field}.groups`,
      );
    const twice = groups.find((g, i) => groups.indexOf(g) !== i);
    if (twice !== undefined) this.fail(`${what} lists security group "${twice}" twice.`, `${field}.groups`);
    if (groups.length && (guest.net ?? "none") === "none")
      this.fail(
        `${what} is in security groups but has no network card: give it "net": "ne2k" or "virtio".`,
        `${field}.net`,
      );
  }

  guest(
    value: unknown,
    index: number,
    segments: LabSegment[],
    flavors: Flavor[],
    securityGroups: SecurityGroupSpec[],
  ): LabGuest {
    const field = `guests[${index}]`;
    const fields = this.object(value, `Guest ${index + 1}`, field);
    const name = this.name(fields, `Guest ${index + 1}`, field);
    const what = `Guest "${name}"`;
    this.onlyKnownKeys(fields, GUEST_KEYS, what, field);
    this.text(fields, "image", what, field, true);
    if (fields.balloon !== undefined && typeof fields.balloon !== "boolean")
      this.fail(`${what} has balloon ${quoted(fields.balloon)}; it is true or false.`, `${field}.balloon`);
    let guest = fields as unknown as LabGuest;
    if (guest.flavor !== undefined) {
      const flavor = flavors.find((f) => f.name === guest.flavor);
      if (!flavor)
        this.fail(
          `${what} has the flavor ${quoted(guest.flavor)}, which the lab does not declare (flavors: ${flavors.map((f) => f.name).join(", ") || "none"}).`,
          `${field}.flavor`,
        );
      // The guest's own memory, weight or cap win over its flavor's.
      guest = { ...flavorSize(flavor), ...guest };
    }
    this.specRules(what, { guest: name }, () => validateSpec(guestSpec(guest)));
    if (guest.segment !== undefined) {
      if (typeof guest.segment !== "string" || !segments.some((s) => s.name === guest.segment))
        this.fail(
          `${what} joins segment ${quoted(guest.segment)}, which the lab does not declare (segments: ${segments.map((s) => s.name).join(", ") || "none"}).`,
          `${field}.segment`,
        );
      if ((guest.net ?? "none") === "none")
        this.fail(
          `${what} joins segment "${guest.segment}" but has no network card: give it "net": "ne2k" or "virtio".`,
          `${field}.net`,
        );
    }
    this.groups(guest, what, field, securityGroups);
    return { ...guest };
  }
}

/** The guest spec a lab guest stands for (its segment and groups are the lab's business, not the guest's). */
export function guestSpec(guest: LabGuest): GuestSpec {
  const { segment: _segment, flavor: _flavor, groups: _groups, ...spec } = guest;
  return spec;
}

/**
 * Checks a whole lab — its names, segments and their subnets, flavors, security groups and each
 * guest's spec and groups —
 * and returns it with every guest's flavor size filled in (checking a checked lab again gives
 * the same lab), or refuses a lab whose segments have too few addresses for their guests
 * (`segment-full`, see admission.ts). Throws a HyperlabError — `invalid-spec`, or the core's own
 * code for a guest spec — whose sentence names the source, the guest and the field.
 */
export function validateLab(value: unknown, source = "lab"): Lab {
  const reader = new LabReader(source);
  const fields = reader.object(value, "A lab", "lab");
  reader.onlyKnownKeys(fields, LAB_KEYS, "The lab", "lab");
  if (fields.version !== 1)
    reader.fail(`version ${quoted(fields.version)} is not one this Hyperlab reads; use "version": 1.`, "version");
  const name = reader.name(fields, "The lab", "lab");
  const title = reader.text(fields, "title", "The lab", "lab", false);
  const description = reader.text(fields, "description", "The lab", "lab", false);
  const checked = reader.list(fields, "segments", (s, i) => reader.segment(s, i));
  reader.noOverlaps(checked);
  const segments = checked.map(({ parsed: _parsed, ...segment }) => segment);
  const flavors = reader.list(fields, "flavors", (f, i) => reader.flavor(f, i));
  const securityGroups = reader.securityGroups(fields, segments);
  const guests = reader.list(fields, "guests", (g, i) => reader.guest(g, i, segments, flavors, securityGroups), true);

  const lab: Lab = { version: 1, name, guests, segments };
  if (title !== undefined) lab.title = title;
  if (description !== undefined) lab.description = description;
  if (fields.flavors !== undefined) lab.flavors = flavors;
  if (fields.securityGroups !== undefined) lab.securityGroups = securityGroups;
  checkLabAddresses(lab, source);
  return lab;
}

/** Reads a lab file (JSON, version 1) and checks it whole (see validateLab). */
export function parseLab(text: string, source = "lab file"): Lab {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    new LabReader(source).fail(`not valid JSON (${error instanceof Error ? error.message : String(error)}).`, "json");
  }
  return validateLab(value, source);
}
