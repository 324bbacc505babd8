/**
 * Output of a bench: readable tables on stdout, or (with --json) only JSON lines, one per
 * metric, in the format of /work/shared/design/CONVENTIONS.md:
 *   {"bench":"boot","metric":"ratio_vs_bare","value":1.03,"unit":"x","target":"<=1.05","n":5, ...raw}
 * Progress goes to stderr in both modes.
 */
import { availableParallelism, loadavg } from "node:os";

export function parseArgs(argv) {
  return { json: argv.includes("--json") };
}

/** Whether `value` meets a target like "<=1.05" or ">=0.97" ("report" is always met). */
export function meets(value, target) {
  const m = /^(<=|>=|<|>)\s*(-?[\d.]+)$/.exec(target ?? "");
  if (!m) return true;
  const limit = Number(m[2]);
  return { "<=": value <= limit, ">=": value >= limit, "<": value < limit, ">": value > limit }[m[1]];
}

export function formatTable(headers, rows) {
  const cells = [headers, ...rows].map((row) => row.map((c) => (c === undefined || c === null ? "" : String(c))));
  const widths = headers.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? "").length)));
  const numeric = headers.map((_, i) => rows.every((row) => typeof row[i] === "number" || row[i] === undefined));
  // The first column holds labels ("median") as well as numbers: align it left.
  numeric[0] = rows.every((row) => typeof row[0] === "number");
  const line = (row) =>
    row
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join("  ")
      .trimEnd();
  return [line(cells[0]), widths.map((w) => "-".repeat(w)).join("  "), ...cells.slice(1).map(line)].join("\n");
}

export class Report {
  constructor(bench, { json = false } = {}) {
    this.bench = bench;
    this.json = json;
    this.metrics = [];
    this.started = Date.now();
    this.loadAtStart = loadavg()[0];
  }

  /** A line of progress (stderr). */
  progress(message) {
    process.stderr.write(`[${this.bench} ${((Date.now() - this.started) / 1000).toFixed(1)}s] ${message}\n`);
  }

  /** Readable text (stdout, not with --json). */
  print(text = "") {
    if (!this.json) process.stdout.write(`${text}\n`);
  }

  table(headers, rows) {
    this.print(formatTable(headers, rows));
    this.print();
  }

  /** One measured figure: printed as a JSON line with --json, in the summary otherwise. */
  metric({ metric, value, unit, target = "report", n, ...raw }) {
    const entry = { bench: this.bench, metric, value, unit, target, n, ...raw };
    this.metrics.push(entry);
    if (this.json) process.stdout.write(`${JSON.stringify(entry)}\n`);
  }

  /** Prints the metric summary, the host and the command that reproduces the table. */
  finish() {
    this.print(
      formatTable(
        ["metric", "value", "unit", "target", "n", "met"],
        this.metrics.map((m) => [
          m.metric,
          m.value,
          m.unit,
          m.target,
          m.n,
          m.target === "report" ? "-" : meets(m.value, m.target) ? "yes" : "NO",
        ]),
      ),
    );
    this.print();
    const [load1] = loadavg();
    this.print(
      `host: ${availableParallelism()} cores, load average ${this.loadAtStart.toFixed(1)} at the start, ` +
        `${load1.toFixed(1)} at the end; ran ${((Date.now() - this.started) / 1000).toFixed(0)} s`,
    );
    this.print(`reproduce: pnpm bench ${this.bench}${this.json ? " --json" : ""}`);
  }
}
