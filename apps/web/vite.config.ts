/// <reference types="vitest/config" />
import { svelte } from "@sveltejs/vite-plugin-svelte";
import { defineConfig, type Plugin } from "vite";
import { guestImages } from "./vite/guest-images.ts";

/** Guest workers share memory with nothing, but COOP/COEP keep the page cross-origin isolated (precise timers). */
const isolation = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
};

/**
 * The built site's Content Security Policy, as a meta tag so that it holds on any static host.
 * Scripts and workers come from the site only (and the page's own blob: modules); WebAssembly needs 'wasm-unsafe-eval' (v86 and
 * the code its JIT makes), never 'unsafe-eval'; styles allow inline (xterm.js and Svelte set
 * style attributes); nothing is fetched from or sent to another origin.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  // blob: for the lessons' script runner, which loads the student's script as a module it makes.
  "script-src 'self' blob: 'wasm-unsafe-eval'",
  "worker-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data: blob:",
  "style-src 'self' 'unsafe-inline'",
  "font-src 'self' data:",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'none'",
].join("; ");

/** Puts the policy into the built page (the dev server's module reloading needs more). */
function contentSecurityPolicy(): Plugin {
  return {
    name: "hyperlab-csp",
    apply: "build",
    transformIndexHtml: () => [
      {
        tag: "meta",
        attrs: { "http-equiv": "Content-Security-Policy", content: CONTENT_SECURITY_POLICY },
        injectTo: "head-prepend",
      },
    ],
  };
}

export default defineConfig({
  plugins: [svelte(), guestImages(new URL("../../images/", import.meta.url)), contentSecurityPolicy()],
  worker: { format: "es" },
  server: { headers: isolation },
  preview: { headers: isolation },
  build: { target: "es2022", chunkSizeWarningLimit: 1024 },
  test: { include: ["src/**/*.test.ts"], environment: "node" },
});
