import { runCli } from "./cli.js";
import { err } from "./io.js";

// The `hyperlab` executable: run the command, then exit (guest worker threads would keep Node alive).

function restoreTerminal(): void {
  if (process.stdin.isTTY && process.stdin.isRaw) process.stdin.setRawMode(false);
}

runCli(process.argv.slice(2)).then(
  (status) => {
    restoreTerminal();
    process.exit(status);
  },
  async (error: unknown) => {
    restoreTerminal();
    await err(`error internal: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
