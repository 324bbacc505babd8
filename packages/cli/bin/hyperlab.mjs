#!/usr/bin/env node
// The CLI runs from its build; a fresh clone has none until `npm start` or a build.
try {
  await import("../dist/main.js");
} catch (error) {
  if (error?.code !== "ERR_MODULE_NOT_FOUND" || !String(error.message).includes("dist")) throw error;
  process.stderr.write(
    "error not-built: the hyperlab CLI is not built yet; run: pnpm install && pnpm turbo run build\n",
  );
  process.exit(1);
}
