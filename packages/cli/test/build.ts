/**
 * The integration tests run the built CLI (bin/hyperlab.mjs imports dist/), so build it from
 * the current source first. The core must already be built: guests' worker threads run its dist.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

export default function setup(): void {
  const cli = fileURLToPath(new URL("..", import.meta.url));
  const coreEntry = fileURLToPath(new URL("../../core/dist/worker/node-entry.js", import.meta.url));
  if (!existsSync(coreEntry))
    throw new Error(
      "@hyperlab/core is not built: run `pnpm turbo run build --filter=@hyperlab/cli...` from the repository root.",
    );
  execFileSync(
    process.execPath,
    [createRequire(import.meta.url).resolve("typescript/bin/tsc"), "-p", "tsconfig.build.json"],
    {
      cwd: cli,
      stdio: "inherit",
    },
  );
}
