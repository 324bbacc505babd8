import { HyperlabError, isHyperlabError } from "../errors.js";
import { validateSpec, type ConsoleChoice, type GuestSpec, type NicModel } from "../spec.js";

/** A network segment: an isolated L2 switch that guests' NICs plug into. */
export interface LabSegment {
  name: string;
  /** An IPv4 subnet in CIDR notation, e.g. "10.0.1.0/24", for the lab's addressing. */
  subnet?: string;
}

/** A named size, like a cloud's flavor (instance type): memory plus CPU weight and cap. */
export interface LabFlavor {
  name: string;
  memoryMiB: number;
  weight?: number;
  cap?: number;
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
  flavors?: LabFlavor[];
}

const LAB_KEYS = ["version", "name", "title", "description", "guests", "segments", "flavors"];
const GUEST_KEYS = ["name", "image", "flavor", "memoryMiB", "console", "net", "weight", "cap", "balloon", "segment"];
const SEGMENT_KEYS = ["name", "subnet"];
const FLAVOR_KEYS = ["name", "memoryMiB", "weight", "cap"];
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;
const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

type Fields = Record<string, unknown>;

/** Everything about a lab file is checked before a guest starts: a bad lab is refused whole. */
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
  }

  text(fields: Fields, key: string, what: string, field: string, required: boolean): string | undefined {
    const value = fields[key];
    if (value === undefined && !required) return undefined;
    if (typeof value !== "string" || !value) this.fail(`${what} needs "${key}" as non-empty text.`, `${field}.${key}`);
    return value;
  }

  name(fields: Fields, what: string, field: string): string {
    const name = this.text(fields, "name", what, field, true)!;
    if (!NAME.test(name))
      this.fail(
        `${what} has the name "${name}"; use 1–63 letters, digits, dots, dashes or underscores.`,
        `${field}.name`,
      );
    return name;
  }

  segment(value: unknown, index: number): LabSegment {
    const field = `segments[${index}]`;
    const fields = this.object(value, `Segment ${index + 1}`, field);
    const name = this.name(fields, `Segment ${index + 1}`, field);
    const what = `Segment "${name}"`;
    this.onlyKnownKeys(fields, SEGMENT_KEYS, what, field);
    const subnet = this.text(fields, "subnet", what, field, false);
    if (subnet !== undefined && !isCidr(subnet))
      this.fail(`${what} has the subnet "${subnet}"; write it as an IPv4 CIDR such as 10.0.1.0/24.`, `${field}.subnet`);
    return subnet === undefined ? { name } : { name, subnet };
  }

  flavor(value: unknown, index: number): LabFlavor {
    const field = `flavors[${index}]`;
    const fields = this.object(value, `Flavor ${index + 1}`, field);
    const name = this.name(fields, `Flavor ${index + 1}`, field);
    this.onlyKnownKeys(fields, FLAVOR_KEYS, `Flavor "${name}"`, field);
    if (typeof fields.memoryMiB !== "number")
      this.fail(`Flavor "${name}" needs "memoryMiB" as a number.`, `${field}.memoryMiB`);
    return { ...(fields as unknown as LabFlavor) };
  }

  guest(value: unknown, index: number, segments: LabSegment[], flavors: LabFlavor[] = []): LabGuest {
    const field = `guests[${index}]`;
    const fields = this.object(value, `Guest ${index + 1}`, field);
    const name = this.name(fields, `Guest ${index + 1}`, field);
    const what = `Guest "${name}"`;
    this.onlyKnownKeys(fields, GUEST_KEYS, what, field);
    this.text(fields, "image", what, field, true);
    if (fields.balloon !== undefined && typeof fields.balloon !== "boolean")
      this.fail(`${what} has balloon ${JSON.stringify(fields.balloon)}; it is true or false.`, `${field}.balloon`);
    let guest = fields as unknown as LabGuest;
    if (guest.flavor !== undefined) {
      const flavor = flavors.find((f) => f.name === guest.flavor);
      if (!flavor)
        this.fail(
          `${what} has the flavor ${JSON.stringify(guest.flavor)}, which the lab does not declare (flavors: ${flavors.map((f) => f.name).join(", ") || "none"}).`,
          `${field}.flavor`,
        );
      // The guest's own memory, weight or cap win over its flavor's.
      const { name: _flavorName, ...size } = flavor;
      guest = { ...size, ...guest };
    }
    try {
      validateSpec(guestSpec(guest));
    } catch (error) {
      // Keep the core's code (e.g. memory-not-power-of-two) and say which guest it is about.
      if (!isHyperlabError(error)) throw error;
      throw new HyperlabError(error.code, `${this.source}: ${what}: ${error.message}`, {
        ...error.details,
        guest: name,
        source: this.source,
      });
    }
    if (guest.segment !== undefined) {
      if (typeof guest.segment !== "string" || !segments.some((s) => s.name === guest.segment))
        this.fail(
          `${what} joins segment ${JSON.stringify(guest.segment)}, which the lab does not declare (segments: ${segments.map((s) => s.name).join(", ") || "none"}).`,
          `${field}.segment`,
        );
      if ((guest.net ?? "none") === "none")
        this.fail(
          `${what} joins segment "${guest.segment}" but has no network card: give it "net": "ne2k" or "virtio".`,
          `${field}.net`,
        );
    }
    return { ...guest };
  }
}

function isCidr(text: string): boolean {
  const match = CIDR.exec(text);
  if (!match) return false;
  const [a, b, c, d, bits] = match.slice(1).map(Number);
  return [a, b, c, d].every((octet) => octet <= 255) && bits <= 32;
}

function unique(names: string[], what: string, reader: LabReader, field: string): void {
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) reader.fail(`Two ${what} are named "${name}"; names must be unique.`, field);
    seen.add(name);
  }
}

/** The guest spec a lab guest stands for (the segment is the lab's business, not the guest's). */
export function guestSpec(guest: LabGuest): GuestSpec {
  const { segment: _segment, flavor: _flavor, ...spec } = guest;
  return spec;
}

/**
 * Reads a lab file (JSON, version 1). Throws a HyperlabError — `invalid-spec`, or the core's
 * own code for a guest spec — whose sentence names the file, the guest and the field.
 */
export function parseLab(text: string, source = "lab file"): Lab {
  const reader = new LabReader(source);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    reader.fail(`not valid JSON (${error instanceof Error ? error.message : String(error)}).`, "json");
  }
  const fields = reader.object(value, "A lab", "lab");
  reader.onlyKnownKeys(fields, LAB_KEYS, "The lab", "lab");
  if (fields.version !== 1)
    reader.fail(
      `version ${JSON.stringify(fields.version)} is not one this Hyperlab reads; use "version": 1.`,
      "version",
    );
  const name = reader.name(fields, "The lab", "lab");
  const title = reader.text(fields, "title", "The lab", "lab", false);
  const description = reader.text(fields, "description", "The lab", "lab", false);

  if (fields.segments !== undefined && !Array.isArray(fields.segments))
    reader.fail(`"segments" must be a list.`, "segments");
  const segments = ((fields.segments as unknown[] | undefined) ?? []).map((s, i) => reader.segment(s, i));
  unique(
    segments.map((s) => s.name),
    "segments",
    reader,
    "segments",
  );

  if (fields.flavors !== undefined && !Array.isArray(fields.flavors))
    reader.fail(`"flavors" must be a list.`, "flavors");
  const flavors = ((fields.flavors as unknown[] | undefined) ?? []).map((f, i) => reader.flavor(f, i));
  unique(
    flavors.map((f) => f.name),
    "flavors",
    reader,
    "flavors",
  );

  if (!Array.isArray(fields.guests) || fields.guests.length === 0)
    reader.fail(`"guests" must be a list with at least one guest.`, "guests");
  const guests = (fields.guests as unknown[]).map((g, i) => reader.guest(g, i, segments, flavors));
  unique(
    guests.map((g) => g.name),
    "guests",
    reader,
    "guests",
  );

  const lab: Lab = { version: 1, name, guests, segments };
  if (title !== undefined) lab.title = title;
  if (description !== undefined) lab.description = description;
  if (fields.flavors !== undefined) lab.flavors = flavors;
  return lab;
}
