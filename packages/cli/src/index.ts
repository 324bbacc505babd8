/** @hyperlab/cli: the `hyperlab` command, as functions for tests and scripts. */
export { runCli } from "./cli.js";
export {
  parseCommand,
  parseLabExec,
  DEFAULT_TIMEOUT_S,
  type Command,
  type RunArgs,
  type UpArgs,
  type LabExec,
} from "./args.js";
export { CliError, formatError, usageError, type ErrorReport } from "./errors.js";
export { EscapeFilter, CTRL_A, type EscapeAction } from "./terminal/escape.js";
export { LineBuffer } from "./terminal/lines.js";
export { usage } from "./usage.js";
