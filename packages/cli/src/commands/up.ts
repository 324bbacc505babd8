import { readFile } from "node:fs/promises";
import { guestSpec, HyperlabError, leaseAddress, parseLab, type Guest, type Lab } from "@hyperlab/core";
import type { UpArgs } from "../args.js";
import type { Context } from "../context.js";
import { Deadline } from "../deadline.js";
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

  const guests: Guest[] = [];
  // One after another: the image is read and verified once, then served from the catalog's cache.
  for (const labGuest of lab.guests) guests.push(await context.hv.create(guestSpec(labGuest)));
  // Segments, then each guest's cable in file order: addresses are .10, .11, … per segment.
  for (const segment of lab.segments) context.hv.network.defineSegment(segment.name, segment.subnet);
  for (const labGuest of lab.guests)
    if (labGuest.segment) context.hv.network.setSegment(labGuest.name, labGuest.segment);
  const deadline = new Deadline(args.timeoutS);
  await deadline.within(Promise.all(guests.map((g) => g.start())), `Starting the guests of lab "${lab.name}"`);
  await Promise.all(
    guests.map(async (guest) => {
      await waitShell(guest, guest.primaryConsole, deadline.left());
      // A guest with a NIC asks its segment's DHCP server for its address (udhcpc).
      const address = guest.spec.net === "none" ? undefined : await leaseAddress(guest, { timeoutMs: deadline.left() });
      if (watching) await outLine(`${guest.name}: ready${address ? ` at ${address}` : ""}`);
    }),
  );

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
