import { readFile, stat, writeFile } from "node:fs/promises";
import { checkSnapshotSize, HyperlabError, readSnapshot, type Guest } from "@hyperlab/core";
import type { RunArgs } from "../args.js";
import type { Context } from "../context.js";
import { Deadline } from "../deadline.js";
import { CliError, usageError } from "../errors.js";
import { guestNameFor, isImageFile, userImage } from "../image-file.js";
import { out, outLine } from "../io.js";
import { inSubshell } from "../one-shot.js";
import { waitShell } from "../shell.js";
import { attachConsole } from "../terminal/attach.js";

/** A guest, not started yet, and how to start it: a cold boot, an instant launch, or a snapshot. */
interface Launch {
  guest: Guest;
  start(): Promise<unknown>;
}

/** `hyperlab run`: one guest, interactive, or for one command (--exec) or one pattern (--expect). */
export async function run(args: RunArgs, context: Context): Promise<number> {
  const deadline = new Deadline(args.timeoutS);
  const launch = args.from !== undefined ? await fromSnapshot(args.from, context) : await create(args, context);
  if (args.exec !== undefined) return execOnce(launch, args, args.exec, deadline);
  if (args.expect) return expectPattern(launch, args.expect, deadline);
  return interactive(launch, args);
}

async function create(args: RunArgs, context: Context): Promise<Launch> {
  const name = args.image ?? "";
  const file = isImageFile(name);
  if (!file && args.initrd !== undefined)
    throw usageError(`--initrd goes with a bzImage file you bring, not with the catalog image "${name}".`);
  if (file && args.instant)
    throw usageError("--instant starts a catalog image from its ready snapshot, not a file you bring.");
  const image = file ? await userImage(name, args.initrd, args.cmdline) : name;
  const guest = await context.hv.create({
    name: file ? guestNameFor(name) : name,
    image,
    memoryMiB: args.memoryMiB,
    // ttyS0 always exists; "both" adds hvc0, so either console can be used.
    console: "both",
    net: args.net,
    weight: args.weight,
    cap: args.cap,
    cmdline: file ? undefined : args.cmdline,
  });
  return { guest, start: () => (args.instant ? context.hv.startInstant(guest) : guest.start()) };
}

/** A guest made from a snapshot file, as the snapshot's guest was (memory, consoles, NIC). */
async function fromSnapshot(path: string, context: Context): Promise<Launch> {
  // Before reading: a file larger than any snapshot is not read into memory to be refused.
  checkSnapshotSize((await stat(path)).size);
  const snapshot = readSnapshot(new Uint8Array(await readFile(path)));
  const { mac: _mac, ...spec } = snapshot.header.spec;
  const guest = await context.hv.create(spec);
  return { guest, start: () => guest.start({ from: snapshot }) };
}

async function execOnce({ guest, start }: Launch, args: RunArgs, command: string, deadline: Deadline): Promise<number> {
  await deadline.within(start(), `Starting guest "${guest.name}"`);
  await waitShell(guest, args.console, deadline.left());
  const result = await guest.exec(inSubshell(command), { console: args.console, timeoutMs: deadline.left() });
  await out(result.output);
  if (result.exitCode !== 0)
    throw new CliError("command-failed", `"${command}" exited with status ${result.exitCode}`, result.exitCode);
  if (args.save !== undefined) await writeFile(args.save, (await guest.snapshot()).bytes);
  return 0;
}

async function expectPattern({ guest, start }: Launch, pattern: RegExp, deadline: Deadline): Promise<number> {
  await deadline.within(start(), `Starting guest "${guest.name}"`);
  const waits = guest.consoleKinds.map((console) =>
    guest.waitFor(pattern, { console, from: 0, timeoutMs: deadline.left() }),
  );
  try {
    const match = await Promise.any(waits);
    await outLine(match[0]);
    return 0;
  } catch (error) {
    if (!(error instanceof AggregateError)) throw error;
    const other = error.errors.find((e) => !(e instanceof HyperlabError && e.code === "boot-timeout"));
    if (other) throw other;
    for (const console of guest.consoleKinds) {
      const lines = guest.consoles[console].lastLines(10);
      if (lines.length) await outLine([`--- last lines on the ${console} console ---`, ...lines].join("\n"));
    }
    throw new HyperlabError(
      "boot-timeout",
      `${String(pattern)} did not appear on guest "${guest.name}"'s consoles (${guest.consoleKinds.join(", ")}) within ${deadline.seconds} s.`,
    );
  }
}

async function interactive({ guest, start }: Launch, args: RunArgs): Promise<number> {
  const attachment = attachConsole(guest, { console: args.console, readyTimeoutMs: args.timeoutS * 1000 });
  try {
    await start();
    await attachment.done;
  } finally {
    attachment.detach();
  }
  return 0;
}
