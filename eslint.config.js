import js from "@eslint/js";
import svelte from "eslint-plugin-svelte";
import globals from "globals";
import ts from "typescript-eslint";

// v86 is imported by the core's machine only (machine/v86-internals.ts types its internals and
// casts once), so the rest of the code cannot depend on the emulator's shape.
const V86_ONLY_IN_MACHINE = "v86 is imported in packages/core/src/machine/ only: use the core's API.";
const v86Imports = (allowedSubpath) => [
  "error",
  {
    paths: [{ name: "v86", message: V86_ONLY_IN_MACHINE }],
    patterns: [{ regex: allowedSubpath ? `^v86/(?!${allowedSubpath}$)` : "^v86/", message: V86_ONLY_IN_MACHINE }],
  },
];

export default ts.config(
  {
    ignores: [
      "**/dist/**",
      "**/node_modules/**",
      "**/.turbo/**",
      "images/.build/**",
      "**/test-results/**",
      "**/playwright-report/**",
    ],
  },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    files: ["**/*.svelte", "**/*.svelte.ts"],
    languageOptions: { parserOptions: { parser: ts.parser } },
  },
  {
    // The benchmark's baseline runs bare v86 on purpose.
    ignores: ["packages/core/src/machine/**", "tests/bench/**"],
    rules: { "no-restricted-imports": v86Imports() },
  },
  {
    // The web app hands its guest workers the wasm file's URL (Vite's ?url import): a file, not code.
    files: ["apps/web/src/hypervisor.ts"],
    rules: { "no-restricted-imports": v86Imports("build/v86\\.wasm\\?url") },
  },
);
