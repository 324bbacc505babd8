/**
 * Building blocks of the lessons' step checks. Every check looks at the real hypervisor and
 * its guests; none of them changes what it checks. A check that needs what this page lacks
 * (a second core, a second host) says so ("needs") instead of passing.
 */
import type { Guest, GuestMetrics, Hypervisor } from "@hyperlab/core";
import { fail, pass, type CheckContext, type CheckResult, type Text } from "./model";

export function findGuest(hv: Hypervisor, name: string): Guest | undefined {
  return hv.guests.find((g) => g.name === name);
}

/** Passes when every named guest is running with its shell ready; else says which are not. */
export function guestsRunning(hv: Hypervisor, names: string[]): CheckResult {
  const missing: string[] = [];
  const notYet: string[] = [];
  for (const name of names) {
    const guest = findGuest(hv, name);
    if (!guest) missing.push(name);
    else if (guest.state !== "running" || !guest.isReady()) notYet.push(`${name} (${guest.state})`);
  }
  if (missing.length)
    return fail(
      `No guest named ${missing.join(", ")} yet: press "Start this lab's guests".`,
      `Гостя ${missing.join(", ")} ещё нет: нажмите «Запустить машины лабораторной».`,
    );
  if (notYet.length)
    return fail(
      `Not running with a shell yet: ${notYet.join(", ")}. Wait for the boot to finish.`,
      `Ещё не работает с готовой оболочкой: ${notYet.join(", ")}. Дождитесь конца загрузки.`,
    );
  return pass(`Running: ${names.join(", ")}.`, `Работают: ${names.join(", ")}.`);
}

/** Runs a harmless command on a guest and says whether it answered correctly. */
export async function answers(guest: Guest, timeoutMs = 15_000): Promise<{ ok: boolean; output: string }> {
  const a = 1 + Math.floor(Math.random() * 90);
  const b = 1 + Math.floor(Math.random() * 90);
  try {
    const { output, exitCode } = await guest.exec(`echo answer-$((${a}*${b}))`, { timeoutMs });
    return { ok: exitCode === 0 && output.includes(`answer-${a * b}`), output: output.trim() };
  } catch (error) {
    return { ok: false, output: error instanceof Error ? error.message : String(error) };
  }
}

/** Collects a guest's metrics for `seconds`, reporting progress once a second. */
export async function sampleMetrics(
  ctx: CheckContext,
  guest: Guest,
  seconds: number,
  progress: (left: number) => Text,
): Promise<GuestMetrics[]> {
  const samples: GuestMetrics[] = [];
  const sub = guest.on("guest:metrics", (m) => samples.push(m));
  try {
    for (let left = seconds; left > 0; left--) {
      if (ctx.signal?.aborted) break;
      ctx.onProgress?.(progress(left));
      await delay(1000);
    }
  } finally {
    sub.dispose();
  }
  return samples;
}

export function median(values: number[]): number {
  if (!values.length) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Whether `object[name]` is a function. The core always has its methods: only the lab starter
 * (labs.ts, being rewritten) still asks; remove this once it no longer does.
 */
export function hasMethod(object: unknown, name: string): boolean {
  return !!object && typeof (object as Record<string, unknown>)[name] === "function";
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
