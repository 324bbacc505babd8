import { describe, expect, it } from "vitest";
import { LessonProgress, PROGRESS_KEY, type ProgressStorage } from "./progress.svelte";

function memoryStorage(initial?: string): ProgressStorage & { data: Map<string, string> } {
  const data = new Map<string, string>();
  if (initial !== undefined) data.set(PROGRESS_KEY, initial);
  return {
    data,
    getItem: (k) => data.get(k) ?? null,
    setItem: (k, v) => void data.set(k, v),
    removeItem: (k) => void data.delete(k),
  };
}

describe("LessonProgress", () => {
  it("saves done steps and answers, and reads them back", () => {
    const storage = memoryStorage();
    const progress = new LessonProgress(storage);
    progress.markDone("hypervisor", "start", 1000);
    progress.setAnswer("platformPick", "xen");
    progress.lesson = "hypervisor";
    const again = new LessonProgress(storage);
    expect(again.isDone("hypervisor", "start")).toBe(true);
    expect(again.isDone("hypervisor", "cap")).toBe(false);
    expect(again.answer("platformPick")).toBe("xen");
    expect(again.lesson).toBe("hypervisor");
    expect(again.count("hypervisor", [{ id: "start" }, { id: "cap" }])).toBe(1);
  });

  it("keeps the first time a step passed", () => {
    const storage = memoryStorage();
    const progress = new LessonProgress(storage);
    progress.markDone("a", "b", 1);
    progress.markDone("a", "b", 2);
    expect(JSON.parse(storage.data.get(PROGRESS_KEY)!).done).toEqual({ "a/b": 1 });
  });

  it("resets one lesson's steps but keeps the answers", () => {
    const progress = new LessonProgress(memoryStorage());
    progress.markDone("a", "x");
    progress.markDone("b", "y");
    progress.setAnswer("note", "hi");
    progress.reset("a");
    expect(progress.isDone("a", "x")).toBe(false);
    expect(progress.isDone("b", "y")).toBe(true);
    expect(progress.answer("note")).toBe("hi");
  });

  it("starts afresh from damaged or missing storage", () => {
    expect(new LessonProgress(memoryStorage("{not json")).isDone("a", "b")).toBe(false);
    expect(new LessonProgress(undefined).answers).toEqual({});
    const failing: ProgressStorage = {
      getItem: () => {
        throw new Error("denied");
      },
      setItem: () => {
        throw new Error("full");
      },
      removeItem: () => undefined,
    };
    const progress = new LessonProgress(failing);
    progress.markDone("a", "b");
    expect(progress.isDone("a", "b")).toBe(true);
  });

  it("starts afresh from stored lists where objects belong, so what it saves reads back (found by fuzzing)", () => {
    // {"answers": []} was kept as a list: answers set on it were dropped by JSON.stringify on save.
    const storage = memoryStorage(JSON.stringify({ done: [], answers: [] }));
    const progress = new LessonProgress(storage);
    progress.markDone("a", "b", 1);
    progress.setAnswer("platformPick", "xen");
    const again = new LessonProgress(storage);
    expect(again.isDone("a", "b")).toBe(true);
    expect(again.answer("platformPick")).toBe("xen");
  });
});
