import { readFileSync } from "node:fs";
import type { Hypervisor } from "@hyperlab/core";
import { createNodeHypervisor } from "@hyperlab/core/node";
import { parseCommand, type Command } from "./args.js";
import { images } from "./commands/images.js";
import { run } from "./commands/run.js";
import { up } from "./commands/up.js";
import type { Context } from "./context.js";
import { formatError } from "./errors.js";
import { err, out } from "./io.js";
import { usage } from "./usage.js";

/** How long terminating the guests may take before the process exits anyway. */
const SHUTDOWN_LIMIT_MS = 5000;

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

async function report(error: unknown): Promise<number> {
  const { line, exitCode } = formatError(error);
  await err(`${line}\n`);
  if (process.env.HYPERLAB_DEBUG && error instanceof Error && error.stack) await err(`${error.stack}\n`);
  return exitCode;
}

/** Resolves on the first SIGINT or SIGTERM; a second one exits at once. */
function interruption(): { signalled: Promise<void>; dispose(): void } {
  let onSignal!: () => void;
  let count = 0;
  const signalled = new Promise<void>((resolve) => {
    onSignal = () => {
      if (++count > 1) process.exit(130);
      resolve();
    };
  });
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return {
    signalled,
    dispose: () => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    },
  };
}

function execute(command: Exclude<Command, { name: "help" | "version" }>, context: Context): Promise<number> {
  if (command.name === "images") return images(command, context);
  if (command.name === "run") return run(command, context);
  return up(command, context);
}

async function shutdown(hv: Hypervisor): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    hv.shutdown().catch(() => undefined),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, SHUTDOWN_LIMIT_MS))),
  ]);
  clearTimeout(timer);
}

/** Runs one `hyperlab` command line and returns its exit status; guests are terminated before it returns. */
export async function runCli(argv: string[]): Promise<number> {
  let command: Command;
  try {
    command = parseCommand(argv);
  } catch (error) {
    return report(error);
  }
  if (command.name === "help") {
    await out(usage(command.topic));
    return 0;
  }
  if (command.name === "version") {
    await out(`hyperlab ${version()}\n`);
    return 0;
  }
  const interrupt = interruption();
  let hv: Hypervisor | undefined;
  let context: Context | undefined;
  let status: number;
  try {
    hv = createNodeHypervisor();
    context = { hv, interruptStatus: 130, atExit: [] };
    const done = context;
    status = await Promise.race([execute(command, done), interrupt.signalled.then(() => done.interruptStatus)]);
  } catch (error) {
    status = await report(error);
  }
  try {
    for (const step of context?.atExit ?? []) await step();
  } catch (error) {
    status = (await report(error)) || status;
  } finally {
    if (hv) await shutdown(hv);
    interrupt.dispose();
  }
  return status;
}
