/// <reference types="vitest/config" />
import { svelte } from "@sveltejs/vite-plugin-svelte";
import { defineConfig } from "vite";
import { guestImages } from "./vite/guest-images.ts";

/** Guest workers share memory with nothing, but COOP/COEP keep the page cross-origin isolated (precise timers). */
const isolation = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
};

export default defineConfig({
  plugins: [svelte(), guestImages(new URL("../../images/", import.meta.url))],
  worker: { format: "es" },
  server: { headers: isolation },
  preview: { headers: isolation },
  build: { target: "es2022", chunkSizeWarningLimit: 1024 },
  test: { include: ["src/**/*.test.ts"], environment: "node" },
});
