/** What the student has done in the lessons, kept in the browser (localStorage). */

export const PROGRESS_KEY = "hyperlab.lessons.v1";

interface Saved {
  /** `<lesson>/<step>` → when its check first passed (ms since the epoch). */
  done: Record<string, number>;
  /** Exercise answers by key (classification cells, quiz choices, notes). */
  answers: Record<string, unknown>;
  /** The lesson open last. */
  lesson?: string;
}

/** The part of Storage the store uses (tests pass a Map-backed one). */
export type ProgressStorage = Pick<Storage, "getItem" | "setItem" | "removeItem">;

/** A plain object: a list would take the keys set on it but JSON.stringify would drop them on save. */
function isRecord<T>(value: T): value is T & Record<string, unknown> {
  return !!value && typeof value === "object" && !Array.isArray(value);
}

function read(storage: ProgressStorage | undefined): Saved {
  try {
    const value = JSON.parse(storage?.getItem(PROGRESS_KEY) ?? "null") as Partial<Saved> | null;
    if (value && typeof value === "object")
      return {
        done: isRecord(value.done) ? value.done : {},
        answers: isRecord(value.answers) ? value.answers : {},
        lesson: typeof value.lesson === "string" ? value.lesson : undefined,
      };
  } catch {
    // Damaged or unreadable: start afresh rather than break the lessons.
  }
  return { done: {}, answers: {} };
}

export class LessonProgress {
  private saved = $state<Saved>({ done: {}, answers: {} });

  constructor(private readonly storage: ProgressStorage | undefined = defaultStorage()) {
    this.saved = read(storage);
  }

  get answers(): Readonly<Record<string, unknown>> {
    return this.saved.answers;
  }

  get lesson(): string | undefined {
    return this.saved.lesson;
  }

  set lesson(id: string | undefined) {
    this.saved.lesson = id;
    this.save();
  }

  isDone(lesson: string, step: string): boolean {
    return `${lesson}/${step}` in this.saved.done;
  }

  markDone(lesson: string, step: string, at = Date.now()): void {
    if (this.isDone(lesson, step)) return;
    this.saved.done[`${lesson}/${step}`] = at;
    this.save();
  }

  /** How many of these steps are done. */
  count(lesson: string, steps: readonly { id: string }[]): number {
    return steps.filter((s) => this.isDone(lesson, s.id)).length;
  }

  answer<T>(key: string): T | undefined {
    return this.saved.answers[key] as T | undefined;
  }

  setAnswer(key: string, value: unknown): void {
    this.saved.answers[key] = value;
    this.save();
  }

  /** Forgets one lesson's steps (its answers stay), or everything. */
  reset(lesson?: string): void {
    if (lesson === undefined) this.saved = { done: {}, answers: {}, lesson: this.saved.lesson };
    else for (const key of Object.keys(this.saved.done)) if (key.startsWith(`${lesson}/`)) delete this.saved.done[key];
    this.save();
  }

  private save(): void {
    try {
      this.storage?.setItem(PROGRESS_KEY, JSON.stringify(this.saved));
    } catch {
      // Storage full or disabled: progress lives on in this tab.
    }
  }
}

function defaultStorage(): ProgressStorage | undefined {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined;
  }
}
