import { HyperlabError } from "../errors.js";

/**
 * A guest's lifecycle (see docs in the README):
 *
 *   created ──start──► booting ──ready──► running ⇄ paused
 *      ▲                  │  ▲               │        │
 *      │              reboot └── rebooting ◄─┴────────┘
 *   stopped ◄──stop── (booting | running | paused | rebooting)
 *   crashed ◄── v86 threw or the worker died (from any live state)
 *   terminated ◄── terminate (from any state but terminated): the guest is gone
 *
 * `stopped` and `crashed` guests can be started again (a cold boot).
 */
export type GuestState =
  "created" | "booting" | "running" | "paused" | "rebooting" | "stopping" | "stopped" | "crashed" | "terminated";

export type GuestAction = "start" | "pause" | "resume" | "reboot" | "stop" | "terminate" | "write" | "exec";

const LIVE: GuestState[] = ["booting", "running", "paused", "rebooting"];

/** In which states each action is allowed. */
export const ALLOWED: Record<GuestAction, readonly GuestState[]> = {
  start: ["created", "stopped", "crashed"],
  pause: ["running"],
  resume: ["paused"],
  reboot: ["booting", "running", "paused"],
  stop: LIVE,
  terminate: ["created", "stopping", "stopped", "crashed", ...LIVE],
  write: ["booting", "running", "rebooting"],
  exec: ["booting", "running", "rebooting"],
};

/** States in which a guest holds its memory reservation. */
export const HOLDS_MEMORY: readonly GuestState[] = ["created", "stopping", ...LIVE];

export function isAllowed(action: GuestAction, state: GuestState): boolean {
  return ALLOWED[action].includes(state);
}

export function assertAllowed(action: GuestAction, state: GuestState, name: string): void {
  if (!isAllowed(action, state))
    throw new HyperlabError(
      "invalid-state",
      `Cannot ${action} guest "${name}" while it is ${state}; ${action} works when it is ${ALLOWED[action].join(", ")}.`,
      { guest: name, action, state, allowed: ALLOWED[action] },
    );
}
