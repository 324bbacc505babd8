import { readFile } from "node:fs/promises";
import { DEFAULT_SEGMENT, HyperlabError, parseLab, startLab, type Lab } from "@hyperlab/core";
import type { UpArgs } from "../args.js";
import { CaptureFile } from "../capture-file.js";
import type { Context } from "../context.js";
import { usageError } from "../errors.js";
import { err, outLine } from "../io.js";
import { inSubshell } from "../one-shot.js";
import { waitShell } from "../shell.js";

async function readLab(path: string): Promise<Lab> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new HyperlabError(
      "invalid-spec",
      code === "ENOENT" ? `There is no lab file ${path}.` : `The lab file ${path} could not be read (${code}).`,
      { path },
    );
  }
  return parseLab(text, path);
}

/** Each line of a command's output, prefixed with its guest's name. */
export function prefixLines(name: string, output: string): string {
  if (!output) return "";
  const lines = output.replace(/\n$/, "").split("\n");
  return lines.map((line) => `${name}: ${line}\n`).join("");
}

/** `hyperlab up`: every guest of a lab, then the --exec commands in order, or a watch until Ctrl-C. */
export async function up(args: UpArgs, context: Context): Promise<number> {
  const lab = await readLab(args.lab);
  const names = lab.guests.map((g) => g.name);
  for (const exec of args.execs)
    if (!names.includes(exec.guest))
      throw usageError(`--exec names guest "${exec.guest}", but lab "${lab.name}" has ${names.join(", ")}.`);
  const watching = args.execs.length === 0;
  if (args.captureSegment !== undefined) {
    const segments = [DEFAULT_SEGMENT, ...lab.segments.map((s) => s.name)];
    if (!segments.includes(args.captureSegment))
      throw usageError(
        `--capture-segment names segment "${args.captureSegment}", but lab "${lab.name}" has ${segments.join(", ")}.`,
      );
  }
  if (args.capture !== undefined) {
    // From before the first guest boots: its DHCP and ARP are in the file too.
    const capture = await CaptureFile.start(context.hv, args.capture, args.captureSegment);
    context.atExit.push(async () => err(`${await capture.finish()}\n`));
  }

  // The core checks the lab whole against the hypervisor first, and terminates what it made if a step fails.
  await startLab(context.hv, lab, {
    source: args.lab,
    timeoutMs: args.timeoutS * 1000,
    // A prompt also counts as a shell, for images without a ready marker.
    waitReady: (guest, timeoutMs) => waitShell(guest, guest.primaryConsole, timeoutMs),
    onProgress: async ({ stage, guest, address }) => {
      if (watching && stage === "ready") await outLine(`${guest.name}: ready${address ? ` at ${address}` : ""}`);
    },
  });

  if (watching) return watch(lab, context);

  let status = 0;
  for (const { guest: name, command } of args.execs) {
    const guest = context.hv.get(name);
    const result = await guest.exec(inSubshell(command), { timeoutMs: args.timeoutS * 1000 });
    const text = prefixLines(name, result.output);
    if (text) await outLine(text.replace(/\n$/, ""));
    if (result.exitCode !== 0) {
      await err(`error command-failed: "${command}" exited with status ${result.exitCode} in guest ${name}\n`);
      status ||= result.exitCode;
    }
  }
  return status;
}

/** Prints each state change until Ctrl-C, which is the normal way to end a lab here. */
async function watch(lab: Lab, context: Context): Promise<number> {
  context.interruptStatus = 0;
  await err(`hyperlab: lab "${lab.name}" is up (${lab.guests.length} guests); Ctrl-C terminates them.\n`);
  context.hv.on("guest:state", ({ guest, state, reason }) => {
    void outLine(`${guest.name}: ${state}${reason ? ` (${reason})` : ""}`);
  });
  return new Promise<number>(() => undefined);
}
