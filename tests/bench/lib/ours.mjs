/** Our layer, as the benches use it: the built @hyperlab/core from its Node entry. */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);

/** createNodeHypervisor from the built core, or a clear message to build it first. */
export async function nodeHypervisor(options = {}) {
  const root = dirname(require.resolve("@hyperlab/core/package.json"));
  if (!existsSync(join(root, "dist", "node", "index.js")) || !existsSync(join(root, "dist", "worker", "node-entry.js")))
    throw new Error("@hyperlab/core is not built: run `pnpm turbo run build --filter=@hyperlab/core` first");
  const { createNodeHypervisor } = await import("@hyperlab/core/node");
  return createNodeHypervisor(options);
}
