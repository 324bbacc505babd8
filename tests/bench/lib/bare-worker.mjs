/**
 * Bare v86 in a worker thread of its own: the baseline every bench compares against.
 * Same image and options as packages/core/src/machine/machine.ts builds, but no hypervisor
 * layer: no throttle, no sampler, no probes. Talks to lib/bare.mjs over the worker port.
 */
import { createRequire } from "node:module";
import { parentPort, workerData } from "node:worker_threads";
import { V86 } from "v86";

const MiB = 1024 * 1024;
const port = parentPort;
if (!port) throw new Error("bare-worker.mjs runs as a worker thread");

const fatal = (error) => {
  port.postMessage({ type: "fatal", reason: String(error?.stack ?? error) });
  process.exit(1);
};
process.on("uncaughtException", fatal);
process.on("unhandledRejection", fatal);

const { files, cmdline, memoryMiB, bootJitMarker } = workerData;

const emulator = new V86({
  wasm_path: createRequire(import.meta.url).resolve("v86/build/v86.wasm"),
  memory_size: memoryMiB * MiB,
  vga_memory_size: 8 * MiB,
  bios: { buffer: files.bios },
  vga_bios: { buffer: files.vgaBios },
  bzimage: { buffer: files.bzimage },
  cmdline,
  autostart: true,
  disable_keyboard: true,
  disable_mouse: true,
  disable_speaker: true,
  acpi: false,
  log_level: 0,
  net_device: { type: "none" },
  virtio_console: true,
});

// Optionally the same JIT rule as our Machine (packages/core/src/machine/boot-jit.ts): v86's JIT
// off from the start until `bootJitMarker` appears on ttyS0, so that a comparison with our
// layer measures the layer and not the rule. Without it, v86's defaults (JIT on throughout).
let bootTail = bootJitMarker ? "" : undefined;
if (bootJitMarker) emulator.add_listener("emulator-ready", () => emulator.v86.cpu.set_jit_config(0, 1));
function watchBoot(byte) {
  bootTail += String.fromCharCode(byte);
  if (bootTail.endsWith(bootJitMarker)) {
    emulator.v86.cpu.set_jit_config(0, 0);
    bootTail = undefined;
  } else bootTail = bootTail.slice(-bootJitMarker.length);
}

// Output batched per microtask, as the Machine does, so a burst is a few messages.
const pending = { serial: [], virtio: [] };
let flushQueued = false;
function queue(console, byte) {
  pending[console].push(byte);
  if (flushQueued) return;
  flushQueued = true;
  queueMicrotask(() => {
    flushQueued = false;
    for (const console of ["serial", "virtio"]) {
      if (pending[console].length === 0) continue;
      const bytes = Uint8Array.from(pending[console]);
      pending[console] = [];
      port.postMessage({ type: "output", console, bytes }, [bytes.buffer]);
    }
  });
}
emulator.add_listener("serial0-output-byte", (byte) => {
  if (bootTail !== undefined) watchBoot(byte);
  queue("serial", byte);
});
emulator.add_listener("virtio-console0-output-bytes", (bytes) => {
  for (const b of bytes) queue("virtio", b);
});

const counters = () => ({
  instructions: emulator.get_instruction_counter() >>> 0,
  at: performance.now(),
  running: emulator.is_running(),
});

port.on("message", async (message) => {
  switch (message.type) {
    case "input":
      emulator.serial_send_bytes(0, message.bytes);
      return;
    case "counters":
      port.postMessage({ type: "reply", id: message.id, value: counters() });
      return;
    case "pause":
      await emulator.stop();
      port.postMessage({ type: "reply", id: message.id });
      return;
    case "resume":
      await emulator.run();
      port.postMessage({ type: "reply", id: message.id });
      return;
    case "shutdown":
      await emulator.destroy();
      port.postMessage({ type: "reply", id: message.id });
      return;
  }
});
