/** The main-thread side of a bare v86 guest (see bare-worker.mjs). */
import { Worker } from "node:worker_threads";

const WORKER = new URL("./bare-worker.mjs", import.meta.url);

export class BareGuest {
  /** @param image what loadImage() returned; @param options.memoryMiB guest RAM */
  constructor(image, options = {}) {
    this.image = image;
    this.memoryMiB = options.memoryMiB ?? image.memoryMiB;
    /** true: v86's JIT off until the ready marker, as our Machine boots (false: v86 defaults) */
    this.bootJit = options.bootJit ?? true;
    /** true: exec answers the shell's cursor query as our Guest.exec does (false: it does not) */
    this.answerCursor = options.answerCursor ?? true;
    this.text = { serial: "", virtio: "" };
    this.decoders = { serial: new TextDecoder(), virtio: new TextDecoder() };
    this.waiters = new Set();
    this.pending = new Map();
    this.nextId = 1;
    this.failure = undefined;
  }

  /** Spawns the worker; v86 starts at once (autostart). */
  start() {
    const { files, cmdline } = this.image;
    this.worker = new Worker(WORKER, {
      workerData: {
        files,
        cmdline,
        memoryMiB: this.memoryMiB,
        bootJitMarker: this.bootJit ? this.image.readyMarker : undefined,
      },
    });
    this.worker.on("message", (message) => this.onMessage(message));
    this.worker.on("error", (error) => this.fail(String(error?.stack ?? error)));
    this.worker.on("exit", (code) => this.fail(`the bare v86 worker exited with code ${code}`));
  }

  onMessage(message) {
    if (message.type === "output") {
      this.text[message.console] += this.decoders[message.console].decode(message.bytes, { stream: true });
      for (const waiter of [...this.waiters]) waiter.check();
    } else if (message.type === "reply") {
      const resolve = this.pending.get(message.id);
      this.pending.delete(message.id);
      resolve?.(message.value);
    } else if (message.type === "fatal") {
      this.fail(message.reason);
    }
  }

  fail(reason) {
    if (this.failure || this.stopped) return;
    this.failure = new Error(`bare v86: ${reason}`);
    for (const waiter of [...this.waiters]) waiter.reject(this.failure);
  }

  /** Resolves when `text` appears on a console at or after offset `from`. */
  waitFor(text, { console = "serial", from = 0, timeoutMs = 60_000 } = {}) {
    return new Promise((resolve, reject) => {
      const waiter = {
        check: () => {
          if (this.text[console].indexOf(text, from) < 0) return;
          done();
          resolve();
        },
        reject: (error) => {
          done();
          reject(error);
        },
      };
      const timer = setTimeout(
        () => waiter.reject(new Error(`bare v86 did not print "${text}" within ${timeoutMs / 1000} s`)),
        timeoutMs,
      );
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
      };
      if (this.failure) return waiter.reject(this.failure);
      this.waiters.add(waiter);
      waiter.check();
    });
  }

  waitReady(options = {}) {
    return this.waitFor(this.image.readyMarker, { ...options, console: "serial" });
  }

  /** Types on the serial console (ttyS0). */
  write(text) {
    this.worker.postMessage({ type: "input", bytes: new TextEncoder().encode(text) });
  }

  /** Runs a shell command on ttyS0 and resolves when it has finished (not its output). */
  async exec(command, options = {}) {
    const n = (this.execSeq = (this.execSeq ?? 0) + 1);
    const from = this.text.serial.length;
    const done = this.waitFor(`@@BARE-E-${n}@@`, { ...options, from });
    const body = command.trim().replace(/;+$/, "");
    // The same cursor report our Guest.exec sends (ImageEntry.cursorQuery): BusyBox ash asks the
    // terminal where the cursor is after each prompt and waits 20 ms after Enter without an answer.
    const answer = this.answerCursor ? "\x1b[1;1R" : "";
    this.write(`${answer}${body}${body.endsWith("&") ? " " : "; "}echo "@@BARE""-E-${n}@@"\n`);
    await done;
  }

  request(type) {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.worker.postMessage({ type, id });
    });
  }

  /** { instructions (u32, wraps), at (worker ms), running } */
  counters() {
    return this.request("counters");
  }

  pause() {
    return this.request("pause");
  }

  resume() {
    return this.request("resume");
  }

  async terminate() {
    if (!this.worker || this.stopped) return;
    this.stopped = true;
    await Promise.race([this.request("shutdown"), new Promise((r) => setTimeout(r, 2000))]);
    await this.worker.terminate();
  }
}
