import { HyperlabError } from "@hyperlab/core";

/**
 * A failure of the CLI itself: `usage` (exit 2) for bad arguments, `command-failed` (the
 * guest command's own status) for a command that ran but failed.
 */
export class CliError extends Error {
  override readonly name = "CliError";
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export function usageError(message: string): CliError {
  return new CliError("usage", message, 2);
}

export interface ErrorReport {
  /** Exactly one line, `error <code>: <sentence>`, without a newline. */
  line: string;
  exitCode: number;
}

/** Node's own failures with a file path (e.g. the catalog's manifest is missing) get a sentence. */
function systemError(error: Error & { code?: string; path?: string }): { code: string; sentence: string } | undefined {
  if (typeof error.code !== "string" || typeof error.path !== "string") return undefined;
  if (error.path.endsWith("manifest.json"))
    return {
      code: "image-missing",
      sentence: `There is no image catalog at ${error.path}: build the images (images/build.sh) or point HYPERLAB_IMAGES at a folder with manifest.json.`,
    };
  return { code: "io-error", sentence: `${error.path}: ${error.message}` };
}

/** One line for anything thrown; stack traces are for bugs, and then only with HYPERLAB_DEBUG=1. */
export function formatError(error: unknown): ErrorReport {
  let code = "internal";
  let sentence: string;
  let exitCode = 1;
  if (error instanceof HyperlabError) {
    code = error.code;
    sentence = error.message;
  } else if (error instanceof CliError) {
    code = error.code;
    sentence = error.message;
    exitCode = error.exitCode;
  } else if (error instanceof Error) {
    const known = systemError(error);
    if (known) ({ code, sentence } = known);
    else sentence = error.message || error.name;
  } else sentence = String(error);
  const oneLine = sentence.replace(/\s*[\r\n]+\s*/g, " ").trim() || "no details";
  return { line: `error ${code}: ${oneLine}`, exitCode };
}
