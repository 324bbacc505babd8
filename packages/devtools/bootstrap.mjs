#!/usr/bin/env node
/**
 * `npm start` and `npm test` on a machine that has only Node 20 and npm.
 * Brings pnpm (the version in package.json's packageManager field) without a global install,
 * installs the workspace, then serves the lab or runs the whole suite.
 * No dependencies: this runs before anything is installed.
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const pnpmVersion = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).packageManager.split("@")[1];
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: "1", DO_NOT_TRACK: "1", COREPACK_ENABLE_STRICT: "0" };

function say(line) {
  console.log(`\x1b[36mhyperlab\x1b[0m ${line}`);
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: "inherit", cwd: root, env, ...options });
  if (result.status !== 0) {
    say(`failed: ${command} ${args.join(" ")} (exit ${result.status ?? result.signal})`);
    process.exit(result.status || 1);
  }
}

function versionOf(command) {
  try {
    return execFileSync(command, ["--version"], { env, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return undefined;
  }
}

/** pnpm of the pinned version: on PATH already, or installed once into ~/.cache/hyperlab. */
function ensurePnpm() {
  if (versionOf("pnpm") === pnpmVersion) return;
  const prefix = join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "hyperlab", `pnpm-${pnpmVersion}`);
  const bin = join(prefix, "node_modules", ".bin");
  if (!existsSync(join(bin, "pnpm"))) {
    say(`installing pnpm ${pnpmVersion} into ${prefix}`);
    run("npm", ["install", "--prefix", prefix, "--no-audit", "--no-fund", "--loglevel=error", `pnpm@${pnpmVersion}`]);
  }
  env.PATH = `${bin}:${env.PATH}`;
  if (versionOf("pnpm") !== pnpmVersion) {
    say(`pnpm ${pnpmVersion} could not be installed; install it with: npm i -g pnpm@${pnpmVersion}`);
    process.exit(1);
  }
}

function install() {
  say("installing dependencies");
  run("pnpm", ["install", "--frozen-lockfile", "--reporter=append-only"]);
}

/** Debian's Chromium for the e2e tests (browsers cannot be downloaded by Playwright here). */
function ensureChromium() {
  const path = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
  if (existsSync(path)) return;
  if (process.getuid?.() === 0 && existsSync("/usr/bin/apt-get")) {
    say("installing Debian's chromium for the e2e tests");
    run("apt-get", ["update", "-qq"]);
    run("apt-get", ["install", "-y", "-qq", "chromium"], { env: { ...env, DEBIAN_FRONTEND: "noninteractive" } });
    return;
  }
  say(`the e2e tests need Chromium at ${path}: run 'sudo apt-get install -y chromium' (or set CHROMIUM_PATH)`);
  process.exit(1);
}

const command = process.argv[2];
ensurePnpm();
install();
if (command === "start") {
  run("pnpm", ["turbo", "run", "build", "--filter=@hyperlab/web..."]);
  const port = process.env.PORT || "5173";
  say(`serving the lab at http://localhost:${port}/`);
  const server = spawn(
    "pnpm",
    ["--filter", "@hyperlab/web", "exec", "vite", "preview", "--port", port, "--strictPort"],
    {
      stdio: "inherit",
      cwd: root,
      env,
    },
  );
  const stop = () => server.kill("SIGTERM");
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  server.on("exit", (code) => process.exit(code ?? 0));
} else if (command === "test") {
  ensureChromium();
  run("pnpm", ["run", "lint"]);
  run("pnpm", ["turbo", "run", "build", "check"]);
  // Integration and e2e tests boot real guests: one package at a time keeps timings honest on 2 cores.
  run("pnpm", ["turbo", "run", "test", "e2e", "--concurrency=1"]);
  say("all tests passed");
} else {
  say("usage: node packages/devtools/bootstrap.mjs start|test");
  process.exit(2);
}
