/**
 * What a guest costs its host beyond its RAM, per platform: the one place these figures live.
 * Admission reserves RAM + overhead for every guest, so that a budget of real host memory
 * holds: a host that admits a guest can keep it.
 *
 * Where the overhead goes (a 32 MiB guest): v86's wasm memory holds the guest's RAM and 8 MiB
 * of VGA memory (`vga_memory_size`, as machine/machine.ts sets it) plus v86's own tables; the
 * wasm instance's code and the code its JIT generates; the worker itself (a V8 isolate and its
 * heap: in Node a worker_threads thread with its own Node environment, in a browser a Web
 * Worker); the guest's files and, after an instant launch, the snapshot it came from, which
 * the worker keeps; console buffers on both sides of the worker link.
 *
 * How these were measured (`pnpm bench idle` measures them again and prints them beside these
 * constants):
 *
 * - Node (`node`): one process, guests started one after another from the image's ready
 *   snapshot (the app's default; a cold boot costs ~30 MiB less, see below), then idle for 8 s;
 *   the growth of the process's RSS over the process with one warm-up guest thrown away,
 *   divided by the number of guests. An idle guest has touched little of its RAM, and RAM it
 *   never touched costs the host nothing yet, but admission must hold for a guest that uses all
 *   of it: so each guest then filled its free memory once (`head -c <free> /dev/zero >
 *   /tmp/fill`, then rm). Overhead = growth per guest − RAM. On this project's 2-core VM
 *   (Node 20.20, v86 0.5.462, 2026-11-29): 4 × 32 MiB guests grew the process by 91 MiB each
 *   idle and by 121.5 MiB each once filled → 89.5 MiB; cold boots instead: 66 and 89.4 →
 *   57 MiB; 3 × 128 MiB guests (cold, 60 % filled): 184 MiB each → at least 56 MiB. The
 *   ~30 MiB more of an instant launch is the snapshot the worker keeps (machine config).
 * - Browser (`browser`): ARCHITECTURE.md's measurement in Chromium, idle 32 MiB guests from the
 *   lab app: the browser's memory grew by ~92 MiB per guest → 60 MiB beyond RAM. That figure is
 *   of idle guests (RAM mostly untouched), so it may undercount what a guest that fills its RAM
 *   costs, as Node's idle figure did by ~30 MiB.
 *
 * Rounded up to a multiple of 4 MiB.
 */
export const GUEST_OVERHEAD_MIB = {
  node: 92,
  browser: 60,
} as const;

export type Platform = keyof typeof GUEST_OVERHEAD_MIB;
