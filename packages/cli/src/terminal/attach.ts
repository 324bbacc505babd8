import { HyperlabError, isAllowed, type ConsoleKind, type Disposable, type Guest } from "@hyperlab/core";
import { err, out } from "../io.js";
import { waitShell } from "../shell.js";
import { ESCAPE_HELP, EscapeFilter } from "./escape.js";
import { LineBuffer } from "./lines.js";

export interface AttachOptions {
  console: ConsoleKind;
  /** How long to hold piped input back while the shell boots. */
  readyTimeoutMs: number;
  /** After piped input ends, quit once the guest has printed nothing for this long. */
  quietMs?: number;
}

export interface Attachment {
  /** Settles when the user quits (Ctrl-A x, or piped input ended) or the guest stops or crashes. */
  done: Promise<void>;
  detach(): void;
}

/**
 * Connects this process's stdin/stdout to one guest console. A terminal is put in raw mode
 * so that every key (Ctrl-C too) reaches the guest; a pipe is passed through line by line
 * once the shell is ready, since a UART drops what arrives before the guest reads it.
 */
export function attachConsole(guest: Guest, options: AttachOptions): Attachment {
  const { console } = options;
  const stdin = process.stdin;
  const tty = stdin.isTTY === true;
  const filter = new EscapeFilter();
  const lines = new LineBuffer();
  const queue: Uint8Array[] = [];
  const subscriptions: Disposable[] = [];
  let ready = false;
  let ended = false;
  let quiet: NodeJS.Timeout | undefined;
  let finish!: (error?: Error) => void;

  const done = new Promise<void>((resolve, reject) => {
    let finished = false;
    finish = (error) => {
      if (finished) return;
      finished = true;
      detach();
      if (error) reject(error);
      else resolve();
    };
  });
  // The caller awaits `done` only after start(); an early crash must not count as unhandled.
  done.catch(() => undefined);

  const send = (bytes: Uint8Array) => {
    if (isAllowed("write", guest.state)) guest.write(console, bytes);
  };
  const flush = () => {
    if (!ready) return;
    while (queue.length) send(queue.shift()!);
    waitForQuiet();
  };
  const waitForQuiet = () => {
    if (!ended || !ready) return;
    clearTimeout(quiet);
    quiet = setTimeout(() => finish(), options.quietMs ?? 2000);
  };

  subscriptions.push(
    guest.on("guest:output", (event) => {
      // Attached to hvc0, show the kernel's boot messages on ttyS0 until hvc0's shell is there.
      if (event.console === console || (event.console === "serial" && !ready)) void out(event.bytes);
      waitForQuiet();
    }),
    guest.on("guest:state", (event) => {
      if (event.state === "crashed")
        finish(
          new HyperlabError("guest-crashed", `Guest "${guest.name}" crashed: ${event.reason ?? "no reason given"}`),
        );
      else if (event.state === "stopped" || event.state === "terminated") finish();
    }),
  );

  const onData = (chunk: Buffer) => {
    const { bytes, actions } = filter.feed(chunk);
    if (bytes.length) {
      if (tty) send(bytes);
      else {
        queue.push(...lines.push(bytes));
        flush();
      }
    }
    for (const action of actions) {
      if (action === "quit") return finish();
      void err(tty ? ESCAPE_HELP.replace(/\n/g, "\r\n") : ESCAPE_HELP);
    }
  };
  const onEnd = () => {
    ended = true;
    const rest = lines.rest();
    if (rest) queue.push(rest);
    flush();
  };
  const onError = () => onEnd();

  if (tty) stdin.setRawMode(true);
  stdin.on("data", onData);
  stdin.on("end", onEnd);
  stdin.on("error", onError);
  stdin.resume();

  const watchShell = () =>
    waitShell(guest, console, options.readyTimeoutMs).then(
      () => {
        ready = true;
        flush();
      },
      (error: unknown) => {
        // A shell that never says it is ready may still read: pass input on anyway.
        if (error instanceof HyperlabError && (error.code === "boot-timeout" || error.code === "no-shell")) {
          ready = true;
          flush();
        }
      },
    );
  // Attached before start() so that no output is missed; the shell can be awaited once it boots.
  if (guest.state !== "created") void watchShell();
  else {
    const booting = guest.on("guest:state", (event) => {
      if (event.state !== "booting") return;
      booting.dispose();
      void watchShell();
    });
    subscriptions.push(booting);
  }

  function detach(): void {
    clearTimeout(quiet);
    for (const subscription of subscriptions) subscription.dispose();
    subscriptions.length = 0;
    stdin.off("data", onData);
    stdin.off("end", onEnd);
    stdin.off("error", onError);
    stdin.pause();
    if (tty && stdin.isRaw) {
      stdin.setRawMode(false);
      void out("\r\n");
    }
  }

  return { done, detach };
}
