/**
 * What the fuzz tests (`*.fuzz.test.ts`, next to the parsers they fuzz) share: one seed per test
 * run, printed in every title and replayable, the outcome rule for a parser of outside bytes (a
 * value or a HyperlabError with a sentence, within a time bound), and inputs made by mutating
 * real ones (a snapshot file, the manifest, lab files, frames).
 *
 *   FUZZ_SEED=<seed> pnpm --filter @hyperlab/core test    # replays a run (the seed is in the titles)
 *   FUZZ_RUNS=<n>                                          # runs each property n times instead
 */
import fc from "fast-check";
import { isHyperlabError, type HyperlabError } from "../errors.js";

function envInteger(name: string): number | undefined {
  const text = process.env[name];
  if (text === undefined || text === "") return undefined;
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new Error(`${name} must be a whole number, not "${text}".`);
  return value;
}

/** This run's seed: FUZZ_SEED, or a new one each run (so runs cover more over time). */
export const FUZZ_SEED = envInteger("FUZZ_SEED") ?? (Math.random() * 2 ** 31) | 0;
const FUZZ_RUNS = envInteger("FUZZ_RUNS");

/** The longest one input may take, in ms (a loop that does not end shows up as a slow input). */
export const INPUT_MS = 2_000;

let announced = false;

/**
 * The title and fast-check options of one property: `runs` inputs by default (FUZZ_RUNS wins),
 * the run's seed, and both in the title so that a failure names what replays it.
 */
export function fuzz(what: string, runs: number): { title: string; options: fc.Parameters<unknown> } {
  const numRuns = FUZZ_RUNS ?? runs;
  if (!announced) {
    announced = true;
    console.info(`fuzz: seed ${FUZZ_SEED} (replay with FUZZ_SEED=${FUZZ_SEED}; FUZZ_RUNS=<n> sets the runs)`);
  }
  return {
    title: `${what} [seed ${FUZZ_SEED}, numRuns ${numRuns}]`,
    options: { seed: FUZZ_SEED, numRuns, timeout: INPUT_MS },
  };
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: HyperlabError };

function check(error: unknown, started: number): HyperlabError {
  if (!isHyperlabError(error))
    throw new Error(`The parser threw something other than a HyperlabError: ${String(error)}`, { cause: error });
  if (!error.message || !error.code) throw new Error("A HyperlabError without a code or a sentence.");
  bounded(started);
  return error;
}

function bounded(started: number): void {
  const ms = performance.now() - started;
  if (ms > INPUT_MS) throw new Error(`One input took ${Math.round(ms)} ms (the bound is ${INPUT_MS} ms).`);
}

/** Runs a parser on one input: its value or its HyperlabError; anything else, or a slow input, fails the property. */
export function outcome<T>(parse: () => T): Outcome<T> {
  const started = performance.now();
  try {
    const value = parse();
    bounded(started);
    return { ok: true, value };
  } catch (error) {
    return { ok: false, error: check(error, started) };
  }
}

/** outcome() for a parser that answers with a promise. */
export async function outcomeOf<T>(parse: () => Promise<T>): Promise<Outcome<T>> {
  const started = performance.now();
  try {
    const value = await parse();
    bounded(started);
    return { ok: true, value };
  } catch (error) {
    return { ok: false, error: check(error, started) };
  }
}

/** One edit of a byte string: what a damaged file, a bad link or a hostile guest could do to it. */
export type ByteEdit =
  | { kind: "flip"; at: number; bit: number }
  | { kind: "set"; at: number; value: number }
  | { kind: "insert"; at: number; bytes: Uint8Array }
  | { kind: "delete"; at: number; count: number }
  | { kind: "truncate"; at: number }
  | { kind: "append"; bytes: Uint8Array };

/** Edits of bytes whose offsets fall in [0, `span`) (`at` values are taken modulo the length). */
function byteEdit(span: number): fc.Arbitrary<ByteEdit> {
  const at = fc.nat({ max: Math.max(0, span - 1) });
  const bytes = fc.uint8Array({ maxLength: 32 });
  return fc.oneof(
    { weight: 4, arbitrary: fc.record({ kind: fc.constant("flip" as const), at, bit: fc.nat({ max: 7 }) }) },
    {
      weight: 4,
      arbitrary: fc.record({
        kind: fc.constant("set" as const),
        at,
        value: fc.constantFrom(0, 1, 0x7f, 0x80, 0xff, 0x20, 0x22, 0x7b, 0x7d),
      }),
    },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant("insert" as const), at, bytes }) },
    {
      weight: 2,
      arbitrary: fc.record({ kind: fc.constant("delete" as const), at, count: fc.integer({ min: 1, max: 16 }) }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("truncate" as const), at }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("append" as const), bytes }) },
  );
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Applies edits to a copy of `base` (offsets are taken modulo its length at each step). */
export function applyEdits(base: Uint8Array, edits: readonly ByteEdit[]): Uint8Array {
  let out: Uint8Array = base.slice();
  for (const edit of edits) {
    const at = out.length === 0 || edit.kind === "append" ? 0 : edit.at % out.length;
    switch (edit.kind) {
      case "flip":
        if (out.length) out[at] ^= 1 << edit.bit;
        break;
      case "set":
        if (out.length) out[at] = edit.value;
        break;
      case "insert":
        out = concat(out.subarray(0, at), edit.bytes, out.subarray(at));
        break;
      case "delete":
        out = concat(out.subarray(0, at), out.subarray(at + edit.count));
        break;
      case "truncate":
        out = out.slice(0, at);
        break;
      case "append":
        out = concat(out, edit.bytes);
        break;
    }
  }
  return out;
}

/** One to `maxEdits` byte edits whose offsets fall within the first `span` bytes (all of them by default). */
export function byteEdits(options: { maxEdits?: number; span?: number } = {}): fc.Arbitrary<ByteEdit[]> {
  return fc.array(byteEdit(options.span ?? 2 ** 31), { minLength: 1, maxLength: options.maxEdits ?? 4 });
}

/**
 * Real bytes with one to `maxEdits` edits: bit flips, bytes set to edge values, inserts, deletes,
 * a truncation. `span` keeps the edits' offsets within the first `span` bytes (a big file's header).
 */
export function mutatedBytes(
  base: Uint8Array,
  options: { maxEdits?: number; span?: number } = {},
): fc.Arbitrary<Uint8Array> {
  const span = Math.min(options.span ?? base.length, base.length);
  return byteEdits({ maxEdits: options.maxEdits, span }).map((edits) => applyEdits(base, edits));
}

/** A list nested 200 deep: a reader that recurses should not fall over it. */
const DEEP: unknown = Array.from({ length: 200 }).reduce<unknown>((inner) => [inner], []);

/** JSON values with the edges parsers trip on: huge and negative numbers, empty and long text, deep nesting. */
export function edgyJson(): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
    {
      weight: 2,
      arbitrary: fc.constantFrom<unknown>(
        0,
        -1,
        1,
        0.5,
        -0,
        2 ** 31,
        2 ** 32,
        2 ** 53,
        -(2 ** 53),
        1e308,
        "",
        " ",
        "__proto__",
        "constructor",
        "toString",
        "0x10",
        "1e3",
        "NaN",
        null,
        true,
        false,
        [],
        {},
        DEEP,
      ),
    },
    { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 300 }) },
  );
}

type Path = (string | number)[];

function pathsOf(value: unknown, prefix: Path = [], out: Path[] = []): Path[] {
  out.push(prefix);
  if (value && typeof value === "object")
    for (const [key, child] of Object.entries(value))
      pathsOf(child, [...prefix, Array.isArray(value) ? Number(key) : key], out);
  return out;
}

type JsonEdit =
  | { kind: "replace"; path: Path; value: unknown }
  | { kind: "delete"; path: Path }
  | { kind: "add"; path: Path; key: string; value: unknown }
  | { kind: "duplicate"; path: Path };

function editJson(root: unknown, edit: JsonEdit): unknown {
  const { path } = edit;
  if (path.length === 0) {
    if (edit.kind === "replace") return edit.value;
    if (edit.kind === "add" && root && typeof root === "object") define(root, edit.key, edit.value);
    return root;
  }
  let parent = root as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) {
    if (!parent || typeof parent !== "object") return root;
    parent = parent[key] as Record<string | number, unknown>;
  }
  if (!parent || typeof parent !== "object") return root;
  const last = path[path.length - 1];
  if (!Object.hasOwn(parent, last)) return root;
  if (edit.kind === "replace") define(parent, last, edit.value);
  else if (edit.kind === "delete") {
    // Not splice: an edit may have given the list an own "constructor", which splice consults.
    if (Array.isArray(parent)) removeAt(parent, Number(last));
    else delete parent[last];
  } else if (edit.kind === "add") {
    const target = parent[last];
    if (target && typeof target === "object")
      define(target, Array.isArray(target) ? target.length : edit.key, edit.value);
  } else if (edit.kind === "duplicate" && Array.isArray(parent)) parent.push(structuredClone(parent[Number(last)]));
  return root;
}

function removeAt(list: unknown[], index: number): void {
  for (let i = index; i < list.length - 1; i++) list[i] = list[i + 1];
  list.length--;
}

/** Sets a key as JSON.parse would (an own property, even "__proto__"). */
function define(target: object, key: string | number, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * A real JSON document with one to `maxEdits` edits at paths it has: a value replaced by an edgy
 * one, a key deleted or added, a list item duplicated (names that must be unique).
 */
export function mutatedJson(base: unknown, maxEdits = 3): fc.Arbitrary<unknown> {
  const paths = pathsOf(base);
  const path = fc.constantFrom(...paths);
  const edit: fc.Arbitrary<JsonEdit> = fc.oneof(
    { weight: 5, arbitrary: fc.record({ kind: fc.constant("replace" as const), path, value: edgyJson() }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant("delete" as const), path }) },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant("add" as const),
        path,
        key: fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom("__proto__", "constructor", "name", "image")),
        value: edgyJson(),
      }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("duplicate" as const), path }) },
  );
  return fc
    .array(edit, { minLength: 1, maxLength: maxEdits })
    .map((edits) => edits.reduce<unknown>((doc, e) => editJson(doc, e), structuredClone(base)));
}
