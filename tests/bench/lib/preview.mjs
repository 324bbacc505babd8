/** The built lab app served by `vite preview`, and the Chromium the browser benches drive. */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { sleep } from "./stats.mjs";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
export const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
/** Debian's Chromium, headless, with nothing of its own reaching the network. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export function appBuilt() {
  return existsSync(join(root, "apps", "web", "dist", "index.html"));
}

/** Serves apps/web/dist on `port` until `stop()`. */
export async function serve(port) {
  if (!appBuilt()) throw new Error("the lab app is not built: run pnpm turbo run build --filter=@hyperlab/web...");
  const server = spawn(
    "pnpm",
    ["--filter", "@hyperlab/web", "exec", "vite", "preview", "--port", String(port), "--strictPort"],
    { cwd: root, stdio: "ignore", detached: true },
  );
  const url = `http://localhost:${port}/`;
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(url)).ok) return { url, stop: () => process.kill(-server.pid, "SIGTERM") };
    } catch {
      // not up yet
    }
    await sleep(200);
  }
  process.kill(-server.pid, "SIGTERM");
  throw new Error(`the preview server did not answer at ${url}`);
}
