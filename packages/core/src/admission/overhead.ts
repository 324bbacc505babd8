/**
 * What a guest costs its host beyond its RAM, per platform: the one place these figures live.
 * Admission reserves RAM + overhead for every guest, so that a budget of real host memory
 * holds: a host that admits a guest can keep it.
 *
 * Where the overhead goes (a 32 MiB guest): v86's wasm memory holds the guest's RAM and 8 MiB
 * of VGA memory (`vga_memory_size`, as machine/machine.ts sets it) plus v86's own tables; the
 * wasm instance's code and the code its JIT generates; the worker itself (a V8 isolate and its
 * heap: in Node a worker_threads thread with its own Node environment, in a browser a Web
 * Worker); the guest's boot files in the worker; console buffers on both sides of the worker
 * link.
 *
 * How these were measured: `pnpm bench idle` (tests/bench/idle) launches 8 guests of 32 MiB
 * (serial console, NE2000: the app's default) one after another, lets them idle for 10 s, then
 * has each fill its free memory once (`head -c <85 % of MemFree>m /dev/zero > /tmp/fill`, then
 * rm), because RAM a guest never touched costs the host nothing yet but admission must hold for a
 * guest that uses all of it. The host's growth per guest — idle or filled, whichever is more —
 * less the guest's RAM is its overhead; the bench prints it beside these constants.
 *
 * - Node (`node`): the RSS of a fresh process (one warm-up guest thrown away first). On this
 *   project's 2-core VM (Node 20.20, v86 0.5.462, 2026-11-29, other jobs running): launched from
 *   the ready snapshot (the app's default) 96.5–101.8 MiB per idle guest, 108–114 MiB filled →
 *   77–82 MiB; an earlier run of 4 guests in one process, 121.5 MiB filled → 89.5 MiB. Cold
 *   boots cost less (70 idle, 85 filled → 53 MiB): a restored guest has all its RAM and VGA
 *   memory written, a cold-booted one not yet — the instant figure is the one a guest can reach.
 * - Browser (`browser`): the RSS of every Chromium process together (Debian's Chromium 156,
 *   headless, the built lab app, guests made through `window.hyperlab`, no console open):
 *   93.1 MiB per idle guest, 90.3 filled → 58.3 MiB (ARCHITECTURE.md's earlier measurement:
 *   ~92 MiB per idle guest).
 *
 * Rounded up to a multiple of 4 MiB.
 */
export const GUEST_OVERHEAD_MIB = {
  node: 92,
  browser: 60,
} as const;

export type Platform = keyof typeof GUEST_OVERHEAD_MIB;
