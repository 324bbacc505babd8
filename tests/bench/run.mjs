#!/usr/bin/env node
/**
 * `pnpm bench <name> [--json]`: runs tests/bench/<name>/index.mjs, which exports
 * `run({ json, report })`. An unknown or missing name lists the benches and exits 2.
 */
import { existsSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Report, parseArgs } from "./lib/report.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const benches = readdirSync(here, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(here, d.name, "index.mjs")))
  .map((d) => d.name)
  .sort();

const args = process.argv.slice(2).filter((a) => a !== "--");
const name = args.find((a) => !a.startsWith("-"));
if (!name || !benches.includes(name)) {
  if (name) process.stderr.write(`error unknown-bench: there is no bench "${name}".\n`);
  process.stderr.write(`usage: pnpm bench <name> [--json]\nbenches: ${benches.join(", ")}\n`);
  process.exit(2);
}

const options = parseArgs(args);
const report = new Report(name, options);
try {
  const bench = await import(`./${name}/index.mjs`);
  await bench.run({ ...options, report });
  report.finish();
  process.exit(0);
} catch (error) {
  process.stderr.write(`error bench-failed: ${error?.message ?? String(error)}\n`);
  if (process.env.HYPERLAB_BENCH_DEBUG) process.stderr.write(`${error?.stack}\n`);
  process.exit(1);
}
