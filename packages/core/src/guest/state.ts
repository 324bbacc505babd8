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

export type GuestAction =
  | "start"
  | "pause"
  | "resume"
  | "reboot"
  | "stop"
  | "terminate"
  | "write"
  | "exec"
  | "waitReady"
  | "snapshot"
  | "restore"
  | "migrate"
  | "balloon"
  | "quota";

/** States in which the guest has a machine (a worker running v86). */
export const LIVE: readonly GuestState[] = ["booting", "running", "paused", "rebooting"];

/** States in which the machine is settled enough to be saved, replaced or moved. */
const SETTLED: readonly GuestState[] = ["booting", "running", "paused"];

/** In which states each action is allowed. */
export const ALLOWED: Record<GuestAction, readonly GuestState[]> = {
  start: ["created", "stopped", "crashed"],
  pause: ["running"],
  resume: ["paused"],
  reboot: SETTLED,
  stop: LIVE,
  terminate: ["created", "stopping", "stopped", "crashed", ...LIVE],
  write: ["booting", "running", "rebooting"],
  exec: ["booting", "running", "rebooting"],
  waitReady: LIVE,
  snapshot: SETTLED,
  restore: SETTLED,
  migrate: SETTLED,
  balloon: SETTLED,
  quota: ["created", "stopping", "stopped", "crashed", ...LIVE],
};

/** States in which a guest holds its memory reservation. */
export const HOLDS_MEMORY: readonly GuestState[] = ["created", "stopping", ...LIVE];

/** States a guest's run ends in: whoever waits on the run (a boot, a command) stops waiting. */
export const RUN_ENDED: readonly GuestState[] = ["stopping", "stopped", "crashed", "terminated"];

export function isLive(state: GuestState): boolean {
  return LIVE.includes(state);
}

export function isAllowed(action: GuestAction, state: GuestState): boolean {
  return ALLOWED[action].includes(state);
}

/** The verb of an action as a sentence says it ("Cannot change the quota of …"). */
const VERB: Partial<Record<GuestAction, string>> = {
  waitReady: "wait for",
  balloon: "change the balloon of",
  quota: "change the quota of",
};

export function assertAllowed(action: GuestAction, state: GuestState, name: string): void {
  if (!isAllowed(action, state)) {
    const verb = VERB[action] ?? action;
    throw new HyperlabError(
      "invalid-state",
      `Cannot ${verb} guest "${name}" while it is ${state}; ${VERB[action] ? "that" : action} works when it is ${ALLOWED[action].join(", ")}.`,
      { guest: name, action, state, allowed: ALLOWED[action] },
    );
  }
}
