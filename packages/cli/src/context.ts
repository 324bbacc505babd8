import type { Hypervisor } from "@hyperlab/core";

/** What a command gets from the CLI around it. */
export interface Context {
  hv: Hypervisor;
  /** The exit status when Ctrl-C (SIGINT) or SIGTERM ends the command; 130 unless a command expects it. */
  interruptStatus: number;
  /** Run (in order) when the command ends, however it ends, before its guests are terminated. */
  atExit: (() => Promise<void>)[];
}
