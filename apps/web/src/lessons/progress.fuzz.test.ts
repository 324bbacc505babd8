/**
 * Fuzzing what the lessons read back from localStorage: any text under the progress key (an
 * older version's, another tab's, a hand-edited one) leaves a working LessonProgress, never an
 * exception that would take the lessons view down. Seeds as in the core's fuzz tests
 * (packages/core/src/testing/fuzz.ts): FUZZ_SEED replays a run, FUZZ_RUNS sets its length.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LessonProgress, PROGRESS_KEY, type ProgressStorage } from "./progress.svelte";

const seed = Number(process.env.FUZZ_SEED) || (Math.random() * 2 ** 31) | 0;
const numRuns = Number(process.env.FUZZ_RUNS) || 2000;

function storageWith(text: string): ProgressStorage {
  const data = new Map([[PROGRESS_KEY, text]]);
  return {
    getItem: (k) => data.get(k) ?? null,
    setItem: (k, v) => void data.set(k, v),
    removeItem: (k) => void data.delete(k),
  };
}

const saved = JSON.stringify({ done: { "hypervisor/start": 1000 }, answers: { platformPick: "xen" }, lesson: "kvm" });

describe("LessonProgress (fuzzed)", () => {
  it(`reads any stored text and keeps working [seed ${seed}, numRuns ${numRuns}]`, () => {
    const value = fc.oneof(
      fc.string({ unit: "binary", maxLength: 200 }),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc
        .record({ done: fc.jsonValue(), answers: fc.jsonValue(), lesson: fc.jsonValue() }, { requiredKeys: [] })
        .map((v) => JSON.stringify(v)),
      fc.nat({ max: saved.length }).map((n) => saved.slice(0, n)),
    );
    fc.assert(
      // Keys are the lessons' own names (never "__proto__"); what is stored is anybody's.
      fc.property(
        value,
        fc.string({ maxLength: 12 }).filter((k) => k !== "__proto__"),
        (text, key) => {
          const storage = storageWith(text);
          const progress = new LessonProgress(storage);
          expect(typeof progress.isDone("hypervisor", "start")).toBe("boolean");
          expect(progress.count("hypervisor", [{ id: "start" }, { id: key }])).toBeLessThanOrEqual(2);
          expect(progress.lesson === undefined || typeof progress.lesson === "string").toBe(true);
          progress.answer(key);
          progress.markDone("hypervisor", key);
          progress.setAnswer(key, 1);
          // What it saved reads back, whatever it had read.
          const again = new LessonProgress(storage);
          expect(again.isDone("hypervisor", key)).toBe(true);
          expect(again.answer(key)).toBe(1);
          progress.reset("hypervisor");
          progress.reset();
        },
      ),
      { seed, numRuns },
    );
  });
});
