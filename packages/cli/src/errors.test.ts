import { HyperlabError } from "@hyperlab/core";
import { describe, expect, it } from "vitest";
import { CliError, formatError, usageError } from "./errors.js";

describe("formatError", () => {
  it("shows a core error's code and sentence, status 1", () => {
    const error = new HyperlabError("unknown-image", 'There is no image "x".');
    expect(formatError(error)).toEqual({ line: 'error unknown-image: There is no image "x".', exitCode: 1 });
  });

  it("gives usage errors status 2 and failed commands their own status", () => {
    expect(formatError(usageError("Give a command."))).toEqual({ line: "error usage: Give a command.", exitCode: 2 });
    expect(formatError(new CliError("command-failed", '"exit 3" exited with status 3', 3))).toEqual({
      line: 'error command-failed: "exit 3" exited with status 3',
      exitCode: 3,
    });
  });

  it("keeps everything on one line and never shows a stack", () => {
    const { line } = formatError(new Error("first\n    at somewhere (file.js:1:1)\nsecond"));
    expect(line).not.toContain("\n");
    expect(line).toMatch(/^error internal: first/);
    expect(formatError("a string")).toEqual({ line: "error internal: a string", exitCode: 1 });
  });

  it("explains a missing image catalog", () => {
    const error = Object.assign(new Error("ENOENT: no such file"), { code: "ENOENT", path: "/x/images/manifest.json" });
    expect(formatError(error).line).toMatch(/^error image-missing: There is no image catalog at \/x\/images/);
  });
});
