/** Runs the real `hyperlab` executable in a child process, as a user's shell would. */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { fileURLToPath } from "node:url";

export const REPO = fileURLToPath(new URL("../../..", import.meta.url));
export const BIN = fileURLToPath(new URL("../bin/hyperlab.mjs", import.meta.url));

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

const children = new Set<ChildProcessWithoutNullStreams>();

/** Starts hyperlab with `args`; the caller talks to it through stdin/stdout. */
export function start(args: string[], env: Record<string, string> = {}): ChildProcessWithoutNullStreams {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO, env: { ...process.env, ...env } });
  children.add(child);
  child.on("exit", () => children.delete(child));
  return child;
}

/** Resolves when the process exits, with everything it printed. */
export function finished(child: ChildProcessWithoutNullStreams): Promise<Finished> {
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

export function hyperlab(args: string[], env: Record<string, string> = {}): Promise<Finished> {
  const child = start(args, env);
  child.stdin.end();
  return finished(child);
}

/** Kills what a failed test left running, so no guest outlives the test run. */
export function killAll(): void {
  for (const child of children) child.kill("SIGKILL");
}
