import { describe, expect, it } from "vitest";
import { LABS } from "./labs";
import { LESSONS } from "./lessons";
import type { Text } from "./model";
import { UI } from "./ui-text";

/** Every Text object reachable from a value. */
function texts(value: unknown, path = "", out: [string, Text][] = []): [string, Text][] {
  if (!value || typeof value !== "object") return out;
  const record = value as Record<string, unknown>;
  if (typeof record.en === "string" && typeof record.ru === "string") out.push([path, value as Text]);
  else for (const [key, child] of Object.entries(record)) texts(child, `${path}.${key}`, out);
  return out;
}

const CYRILLIC = /[а-яё]/i;

describe("lessons", () => {
  it("cover the seven parts of the lecture in order", () => {
    expect(LESSONS.map((l) => l.number)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(new Set(LESSONS.map((l) => l.id)).size).toBe(7);
  });

  it.each(LESSONS.map((l) => [l.id, l] as const))("%s has its text in English and Russian", (_id, lesson) => {
    const all = texts(lesson);
    expect(all.length).toBeGreaterThan(5);
    for (const [path, t] of all) {
      expect(t.en.trim(), `${path}.en`).not.toBe("");
      expect(t.ru.trim(), `${path}.ru`).not.toBe("");
    }
    // The Russian body text really is Russian, not English copied over.
    for (const section of lesson.sections)
      for (const p of section.body) {
        expect(p.ru, p.en.slice(0, 40)).toMatch(CYRILLIC);
        expect(p.ru).not.toBe(p.en);
      }
    expect(lesson.sections.length).toBeGreaterThan(0);
  });

  // Every step has a check: LessonStep's type requires one.
  it.each(LESSONS.map((l) => [l.id, l] as const))("%s has steps, each with a unique id", (_id, lesson) => {
    expect(lesson.steps.length).toBeGreaterThan(0);
    expect(new Set(lesson.steps.map((s) => s.id)).size).toBe(lesson.steps.length);
    for (const step of lesson.steps) {
      expect(step.title.ru).toMatch(CYRILLIC);
      expect(step.how.ru).toMatch(CYRILLIC);
    }
  });

  it("give each lab lesson a lab file that parses, with 32 MiB guests", () => {
    for (const lesson of LESSONS.filter((l) => l.lab)) {
      const lab = LABS[lesson.lab!];
      expect(lab, lesson.id).toBeDefined();
      for (const guest of lab.guests) expect(guest.memoryMiB, guest.name).toBe(32);
    }
    // Lab guest names are unique across labs, so two labs can run side by side.
    const names = Object.values(LABS).flatMap((l) => l.guests.map((g) => g.name));
    expect(new Set(names).size).toBe(names.length);
  });

  it("have the view's own words in both languages", () => {
    for (const [key, t] of Object.entries(UI)) {
      expect(t.en.trim(), key).not.toBe("");
      expect(t.ru.trim(), key).not.toBe("");
    }
  });
});
