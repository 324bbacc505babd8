import { HyperlabError } from "../errors.js";
import type { ConsoleKind } from "../spec.js";
import { ConsoleLog } from "./console.js";
import type { Disposable } from "../events.js";
import { PROMPT_AT_END, PROMPT_QUIET_MS, escapeRegExp, type ReadyRule } from "./readiness.js";
import { RUN_ENDED, assertAllowed, isAllowed, type GuestState } from "./state.js";

export interface WaitOptions {
  console?: ConsoleKind;
  timeoutMs?: number;
}

export interface ExecResult {
  output: string;
  exitCode: number;
}

/** The guest as its shell sees it. */
export interface ShellOwner {
  readonly name: string;
  readonly state: GuestState;
  readonly consoleKinds: readonly ConsoleKind[];
  readonly primaryConsole: ConsoleKind;
  write(console: ConsoleKind, data: string): void;
  on(name: "guest:state", listener: (event: { state: GuestState; reason?: string }) => void): Disposable;
}

/** What the shell tells its guest. */
export interface ShellNotices {
  /** A console's shell became ready. */
  ready(console: ConsoleKind): void;
  /** Text the user should see that the shell held back (after a command of the core's own). */
  show(console: ConsoleKind, text: string): void;
  /** The virtio console's window size, to tell its driver (hvc0). */
  size(cols: number, rows: number): void;
}

/** What the image tells about its shell (see ImageEntry). */
export interface ShellTraits {
  /** When the shell reads input (guest/readiness.ts). */
  ready: ReadyRule;
  cursorQuery?: boolean;
}

const DEFAULT_BOOT_TIMEOUT_MS = 60_000;
const DEFAULT_EXEC_TIMEOUT_MS = 60_000;
/** A terminal's answer to "where is the cursor?" (ESC [6n): row 1, column 1. */
const CURSOR_REPORT = "\x1b[1;1R";

/**
 * The guest's consoles and the shell on them: what was printed, when the shell is ready, and
 * commands run with markers around them (`exec`), one at a time per console.
 */
export class Shell {
  readonly consoles: Record<ConsoleKind, ConsoleLog> = {
    serial: new ConsoleLog("serial"),
    virtio: new ConsoleLog("virtio"),
  };
  private readonly readyConsoles = new Set<ConsoleKind>();
  private readonly queue: Record<ConsoleKind, Promise<unknown>> = {
    serial: Promise.resolve(),
    virtio: Promise.resolve(),
  };
  private seq = 0;
  private virtioSize = { cols: 80, rows: 25 };
  /** `waitReady` calls waiting for a console. */
  private readonly readyWaiters = new Set<(console: ConsoleKind) => void>();
  /** A console on which the core runs a command of its own: its output is not shown. */
  private housekeeping?: ConsoleKind;

  constructor(
    private readonly owner: ShellOwner,
    private readonly traits: ShellTraits,
    private readonly notices: ShellNotices,
  ) {}

  /** Adds what the guest printed; false when the user is not to see it (a command of the core's). */
  append(console: ConsoleKind, bytes: Uint8Array): { text: string; shown: boolean } {
    const text = this.consoles[console].append(bytes);
    return { text, shown: this.housekeeping !== console };
  }

  isReady(console: ConsoleKind): boolean {
    return this.readyConsoles.has(console);
  }

  /** Consoles whose shell is ready, in the guest's order. */
  get ready(): ConsoleKind[] {
    return this.owner.consoleKinds.filter((c) => this.readyConsoles.has(c));
  }

  /** Sets the virtio console's window size; its driver is told once it is up. */
  resize(cols: number, rows: number): void {
    if (!Number.isInteger(cols) || !Number.isInteger(rows) || cols < 2 || rows < 2 || cols > 1000 || rows > 1000)
      throw new HyperlabError("invalid-spec", `A console is 2 to 1000 columns and rows, not ${cols}×${rows}.`);
    this.virtioSize = { cols, rows };
    if (this.isReady("virtio")) this.notices.size(cols, rows);
  }

  markReady(consoles: readonly ConsoleKind[]): void {
    for (const console of consoles) {
      if (!this.owner.consoleKinds.includes(console) || this.readyConsoles.has(console)) continue;
      this.readyConsoles.add(console);
      // hvc0's driver is up: tell it the window size (it starts at 80×25).
      if (console === "virtio") this.notices.size(this.virtioSize.cols, this.virtioSize.rows);
      this.notices.ready(console);
      for (const waiter of [...this.readyWaiters]) waiter(console);
    }
  }

  /**
   * Marks each console ready when the image's rule says its shell reads input, while `current()`
   * says the run that asked is still the guest's (see guest/readiness.ts).
   */
  watchReady(current: () => boolean): void {
    const rule = this.traits.ready;
    for (const console of this.owner.consoleKinds) {
      if (this.readyConsoles.has(console)) continue;
      const log = this.consoles[console];
      if (rule.kind === "pattern")
        log.waitFor(rule.pattern, log.end).promise.then(
          () => current() && this.markReady([console]),
          () => undefined,
        );
      else if (rule.kind === "prompt") this.watchPrompt(console, current);
    }
  }

  /** A prompt that stays the last thing printed for a moment: the shell waits for a line. */
  private watchPrompt(console: ConsoleKind, current: () => boolean): void {
    const log = this.consoles[console];
    let seen = { end: log.end, at: Date.now() };
    const timer = setInterval(() => {
      if (!current() || this.readyConsoles.has(console)) return clearInterval(timer);
      if (log.end !== seen.end) seen = { end: log.end, at: Date.now() };
      else if (Date.now() - seen.at >= PROMPT_QUIET_MS && PROMPT_AT_END.test(log.since(log.end - 16))) {
        clearInterval(timer);
        this.markReady([console]);
      }
    }, PROMPT_QUIET_MS / 3);
  }

  /** The shell is gone (a reboot, a restore, the end of a run): what waited on it fails. */
  reset(error: Error): void {
    this.readyConsoles.clear();
    for (const log of Object.values(this.consoles)) log.cancelAll(error);
  }

  checkConsole(console: ConsoleKind): void {
    if (!this.owner.consoleKinds.includes(console))
      throw new HyperlabError(
        "invalid-spec",
        `Guest "${this.owner.name}" has no ${console} console (it has ${this.owner.consoleKinds.join(" and ")}).`,
      );
  }

  /** Resolves when `pattern` appears on a console (from now on, or from `from`). */
  async waitFor(pattern: string | RegExp, options: WaitOptions & { from?: number } = {}): Promise<RegExpExecArray> {
    const console = options.console ?? this.owner.primaryConsole;
    this.checkConsole(console);
    const log = this.consoles[console];
    const regexp = typeof pattern === "string" ? new RegExp(escapeRegExp(pattern)) : pattern;
    const wait = log.waitFor(regexp, options.from ?? log.end);
    const timeoutMs = options.timeoutMs ?? DEFAULT_BOOT_TIMEOUT_MS;
    const timer = setTimeout(() => {
      wait.cancel(
        new HyperlabError(
          "boot-timeout",
          `Guest "${this.owner.name}" did not print ${String(pattern)} on its ${console} console within ${timeoutMs / 1000} s. Last lines: ${log.lastLines(5).join(" | ") || "(nothing)"}`,
          { lastLines: log.lastLines(10) },
        ),
      );
    }, timeoutMs);
    try {
      return await wait.promise;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Resolves when the guest's shell is ready on a console (its ready marker was printed). */
  async waitReady(options: WaitOptions = {}): Promise<void> {
    const { owner } = this;
    const console = options.console ?? owner.primaryConsole;
    this.checkConsole(console);
    if (this.isReady(console)) return;
    const rule = this.traits.ready;
    if (rule.kind === "none")
      throw new HyperlabError("no-shell", `Guest "${owner.name}" cannot be known ready: ${rule.reason}.`, {
        guest: owner.name,
        reason: "screen-only",
      });
    if (!isAllowed("waitReady", owner.state))
      throw new HyperlabError("invalid-state", `Guest "${owner.name}" is ${owner.state}; start it first.`, {
        guest: owner.name,
        action: "waitReady",
        state: owner.state,
      });
    const timeoutMs = options.timeoutMs ?? DEFAULT_BOOT_TIMEOUT_MS;
    const lastLines = () => this.consoles[console].lastLines(10);
    await new Promise<void>((resolve, reject) => {
      const done = (error?: HyperlabError) => {
        clearTimeout(timer);
        watch.dispose();
        this.readyWaiters.delete(onReady);
        if (error) reject(error);
        else resolve();
      };
      const onReady = (ready: ConsoleKind) => ready === console && done();
      const timer = setTimeout(() => {
        const lines = lastLines();
        done(
          new HyperlabError(
            "boot-timeout",
            `Guest "${owner.name}" did not reach its shell on the ${console} console within ${timeoutMs / 1000} s. Last lines: ${lines.slice(-5).join(" | ") || "(nothing)"}`,
            { lastLines: lines },
          ),
        );
      }, timeoutMs);
      const watch = owner.on("guest:state", ({ state, reason }) => {
        if (state === "crashed")
          done(
            new HyperlabError("guest-crashed", `Guest "${owner.name}" crashed while booting: ${reason}`, {
              lastLines: lastLines(),
            }),
          );
        else if (RUN_ENDED.includes(state))
          done(new HyperlabError("invalid-state", `Guest "${owner.name}" was ${state} while booting.`));
      });
      this.readyWaiters.add(onReady);
    });
  }

  /**
   * Runs a shell command in the guest and returns what it printed and its exit status.
   * Markers around the command tell its output apart from the echo of what was typed; the
   * quotes split the marker in the typed text so only the shell's output matches.
   */
  async exec(command: string, options: WaitOptions = {}): Promise<ExecResult> {
    assertAllowed("exec", this.owner.state, this.owner.name);
    const console = options.console ?? this.owner.primaryConsole;
    this.checkConsole(console);
    const run = () => this.run(command, console, options.timeoutMs ?? DEFAULT_EXEC_TIMEOUT_MS);
    const result = this.queue[console].then(run, run);
    this.queue[console] = result.catch(() => undefined);
    return result;
  }

  private async run(command: string, console: ConsoleKind, timeoutMs: number): Promise<ExecResult> {
    const started = Date.now();
    await this.waitReady({ console, timeoutMs });
    const n = ++this.seq;
    const log = this.consoles[console];
    const from = log.end;
    const body = command.trim().replace(/;+$/, "");
    // A command sent to the background ends with "&", which already separates.
    const separator = body.endsWith("&") ? " " : "; ";
    const endWait = this.waitFor(new RegExp(`@@HL-E-${n}-(\\d+)@@`), {
      console,
      from,
      timeoutMs: Math.max(1, timeoutMs - (Date.now() - started)),
    }).catch((error: unknown) => {
      if (error instanceof HyperlabError && error.code === "boot-timeout")
        throw new HyperlabError(
          "exec-timeout",
          `"${command}" did not finish in guest "${this.owner.name}" within ${timeoutMs / 1000} s.`,
          error.details,
        );
      throw error;
    });
    // The cursor report a terminal would have sent, else the shell sleeps 20 ms before it
    // runs the line (see ImageEntry.cursorQuery). A second report, after a terminal's own, is
    // dropped by the shell.
    const answer = this.traits.cursorQuery ? CURSOR_REPORT : "";
    this.owner.write(console, `${answer}echo '@@HL''-B-${n}@@'; ${body}${separator}echo "@@HL""-E-${n}-$?@@"\n`);
    const end = await endWait;
    const text = log.since(from).slice(0, end.index - from);
    // The shell echoes what was typed and then prints the begin marker: without it, what came
    // back cannot be told apart from what else the console showed (input lost or typed over).
    const begin = new RegExp(`@@HL-B-${n}@@\\r?\\n`).exec(text);
    if (!begin)
      throw new HyperlabError(
        "exec-garbled",
        `"${command}" did not reach the shell of guest "${this.owner.name}" as typed (its begin marker never came back); it may or may not have run. Last lines: ${log.lastLines(5).join(" | ") || "(nothing)"}`,
        { guest: this.owner.name, command, lastLines: log.lastLines(10) },
      );
    return { output: text.slice(begin.index + begin[0].length).replace(/\r/g, ""), exitCode: Number(end[1]) };
  }

  /**
   * Runs a command of the core's own on the primary console, out of the user's sight: the
   * command and its output are cut from the log, and what the shell printed after it is shown.
   */
  async quietly(command: string, timeoutMs: number): Promise<ExecResult> {
    const console = this.owner.primaryConsole;
    const log = this.consoles[console];
    const from = log.end;
    this.housekeeping = console;
    try {
      return await this.exec(command, { console, timeoutMs });
    } finally {
      this.housekeeping = undefined;
      const printed = log.since(from);
      const end = /@@HL-E-\d+-\d+@@\r?\n/.exec(printed);
      log.cut(from, from + (end ? end.index + end[0].length : printed.length));
      const after = log.since(from);
      if (after) this.notices.show(console, after);
    }
  }
}
