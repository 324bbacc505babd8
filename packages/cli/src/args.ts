import { parseArgs, type ParseArgsConfig } from "node:util";
import type { ConsoleKind, NicModel } from "@hyperlab/core";
import { usageError } from "./errors.js";
import { TOPICS, type Topic } from "./usage.js";

export interface RunArgs {
  name: "run";
  /** A catalog id or an image file; undefined with `from`. */
  image?: string;
  memoryMiB?: number;
  /** The console to attach to or run the command on. */
  console: ConsoleKind;
  net?: NicModel;
  weight?: number;
  cap?: number;
  exec?: string;
  expect?: RegExp;
  timeoutS: number;
  initrd?: string;
  cmdline?: string;
  /** Start from the image's ready snapshot when one fits (else a cold boot). */
  instant: boolean;
  /** A snapshot file to start from instead of booting. */
  from?: string;
  /** Where to save a snapshot once the --exec command has succeeded. */
  save?: string;
}

export interface LabExec {
  guest: string;
  command: string;
}

export interface UpArgs {
  name: "up";
  lab: string;
  execs: LabExec[];
  timeoutS: number;
  /** Where to write a pcap of what crossed the switch while the lab ran. */
  capture?: string;
  /** Capture this segment only (default: the whole switch). */
  captureSegment?: string;
}

export type Command =
  { name: "help"; topic?: Topic } | { name: "version" } | { name: "images"; json: boolean } | RunArgs | UpArgs;

export const DEFAULT_TIMEOUT_S = 60;

type Options = NonNullable<ParseArgsConfig["options"]>;
const HELP: Options = { help: { type: "boolean", short: "h" } };

const OPTIONS = {
  images: { ...HELP, json: { type: "boolean" } },
  run: {
    ...HELP,
    memory: { type: "string" },
    console: { type: "string" },
    net: { type: "string" },
    weight: { type: "string" },
    cap: { type: "string" },
    exec: { type: "string" },
    expect: { type: "string" },
    timeout: { type: "string" },
    initrd: { type: "string" },
    cmdline: { type: "string" },
    instant: { type: "boolean" },
    from: { type: "string" },
    save: { type: "string" },
  },
  up: {
    ...HELP,
    exec: { type: "string", multiple: true },
    timeout: { type: "string" },
    capture: { type: "string" },
    "capture-segment": { type: "string" },
  },
} satisfies Record<Topic, Options>;

function isTopic(word: string): word is Topic {
  return Object.hasOwn(TOPICS, word);
}

/** parseArgs's messages are long and mention its own syntax; keep their first sentence. */
function parseFlags(topic: Topic, args: string[]) {
  try {
    return parseArgs({ args, options: OPTIONS[topic] as Options, allowPositionals: true, strict: true });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const first = message.split(/\.\s/)[0].replace(/\.$/, "");
    // "--exec -x" reads as a missing value: the value then goes after an equals sign.
    const hint = /ambiguous/.test(first) ? "; for a value that starts with a dash write --option=VALUE" : "";
    throw usageError(`${first} (hyperlab ${topic})${hint}; see "hyperlab help ${topic}".`);
  }
}

function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value))
    throw usageError(`--${flag} is one of ${allowed.join(", ")}, not "${value}".`);
  return value as T;
}

/** A number for a flag; the core judges the range (power of two, 1-65535, …) with its own codes. */
function number(flag: string, value: string | undefined, what: string, integer = false): number | undefined {
  if (value === undefined) return undefined;
  const pattern = integer ? /^\d+$/ : /^\d+(\.\d+)?$/;
  if (!pattern.test(value.trim())) throw usageError(`--${flag} takes ${what}, not "${value}".`);
  return Number(value);
}

function timeout(value: string | undefined): number {
  const seconds = number("timeout", value, "a number of seconds") ?? DEFAULT_TIMEOUT_S;
  if (seconds <= 0) throw usageError("--timeout must be more than 0 seconds.");
  return seconds;
}

function onePositional(topic: Topic, positionals: string[], what: string): string {
  if (positionals.length === 0) throw usageError(`hyperlab ${topic} needs ${what}; see "hyperlab help ${topic}".`);
  if (positionals.length > 1)
    throw usageError(
      `hyperlab ${topic} takes one ${what.replace(/^an? /, "")}, but got ${positionals.length}: ${positionals.join(" ")}. Quote a command with spaces.`,
    );
  return positionals[0];
}

function runArgs(args: string[]): Command {
  const { values: v, positionals } = parseFlags("run", args);
  if (v.help) return { name: "help", topic: "run" };
  const flags = v as Record<string, string | undefined>;
  if (flags.from !== undefined && positionals.length > 0)
    throw usageError("Give an image or --from a snapshot file, not both: the snapshot says which image it ran.");
  const image =
    flags.from === undefined ? onePositional("run", positionals, "an image (a catalog id or a file)") : undefined;
  if (v.instant && flags.from !== undefined)
    throw usageError("--instant starts from the image's ready snapshot; --from from yours. Give one.");
  if (flags.save !== undefined && flags.exec === undefined)
    throw usageError("--save goes with --exec: the snapshot is taken once the command has succeeded.");
  if (flags.exec !== undefined && flags.expect !== undefined) throw usageError("Give --exec or --expect, not both.");
  if (flags.exec !== undefined && !flags.exec.trim()) throw usageError("--exec needs a command.");
  let expect: RegExp | undefined;
  if (flags.expect !== undefined) {
    try {
      expect = new RegExp(flags.expect);
    } catch (error) {
      throw usageError(`--expect takes a regular expression: ${(error as Error).message}.`);
    }
  }
  return {
    name: "run",
    image,
    memoryMiB: number("memory", flags.memory, "a whole number of MiB", true),
    console: oneOf("console", flags.console, ["serial", "virtio"] as const) ?? "serial",
    net: oneOf("net", flags.net, ["none", "ne2k", "virtio"] as const),
    weight: number("weight", flags.weight, "a whole number", true),
    cap: number("cap", flags.cap, "a percentage of one core"),
    exec: flags.exec,
    expect,
    timeoutS: timeout(flags.timeout),
    initrd: flags.initrd,
    cmdline: flags.cmdline,
    instant: v.instant === true,
    from: flags.from,
    save: flags.save,
  };
}

/** `NAME:CMD`, split at the first colon (commands may contain colons). */
export function parseLabExec(text: string): LabExec {
  const colon = text.indexOf(":");
  const guest = colon > 0 ? text.slice(0, colon) : "";
  const command = text.slice(colon + 1);
  if (!guest || !command.trim()) throw usageError(`--exec takes NAME:CMD (a guest name and a command), not "${text}".`);
  return { guest, command };
}

function upArgs(args: string[]): Command {
  const { values: v, positionals } = parseFlags("up", args);
  if (v.help) return { name: "help", topic: "up" };
  const lab = onePositional("up", positionals, "a lab file");
  const execs = ((v.exec as string[] | undefined) ?? []).map(parseLabExec);
  const capture = v.capture as string | undefined;
  const captureSegment = v["capture-segment"] as string | undefined;
  if (capture !== undefined && !capture.trim()) throw usageError("--capture needs a file to write.");
  if (captureSegment !== undefined && capture === undefined)
    throw usageError("--capture-segment goes with --capture FILE: it says which segment the file records.");
  return {
    name: "up",
    lab,
    execs,
    timeoutS: timeout(v.timeout as string | undefined),
    ...(capture === undefined ? {} : { capture }),
    ...(captureSegment === undefined ? {} : { captureSegment }),
  };
}

/** Turns the words after `hyperlab` into a command, or throws a `usage` CliError. */
export function parseCommand(argv: string[]): Command {
  const [word, ...rest] = argv;
  if (word === undefined)
    throw usageError('Give a command: images, run or up ("hyperlab help" shows how to use them).');
  if (word === "help" || word === "--help" || word === "-h") {
    const topic = rest[0];
    if (topic === undefined) return { name: "help" };
    if (!isTopic(topic)) throw usageError(`There is no command "${topic}"; the commands are images, run and up.`);
    return { name: "help", topic };
  }
  if (word === "--version" || word === "version") return { name: "version" };
  if (word === "images") {
    const { values, positionals } = parseFlags("images", rest);
    if (values.help) return { name: "help", topic: "images" };
    if (positionals.length) throw usageError(`hyperlab images takes no arguments, but got ${positionals.join(" ")}.`);
    return { name: "images", json: Boolean(values.json) };
  }
  if (word === "run") return runArgs(rest);
  if (word === "up") return upArgs(rest);
  throw usageError(`There is no command "${word}"; the commands are images, run and up (see "hyperlab help").`);
}
