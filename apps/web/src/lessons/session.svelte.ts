import type { Hypervisor } from "@hyperlab/core";
import { describeError } from "@hyperlab/core";
import { journalOf, type StateJournal } from "./journal";
import { LABS, startLab } from "./labs";
import type { CheckStatus, Lesson, LessonStep, Text } from "./model";
import { LessonProgress } from "./progress.svelte";

export interface ShownResult {
  status: CheckStatus | "running";
  message?: Text;
}

/**
 * The lessons' live state: progress (saved), the journal of guest events, and the latest
 * result of each step's check. It outlives the view, so a check that watches for ten
 * seconds goes on while the student sets a cap in another view.
 */
export class LessonSession {
  readonly progress: LessonProgress;
  readonly journal: StateJournal;
  results = $state<Record<string, ShownResult>>({});
  /** Lab name → "starting", or the sentence of why it failed. */
  labStatus = $state<Record<string, { starting: boolean; error?: string }>>({});

  constructor(
    readonly hv: Hypervisor,
    progress = new LessonProgress(),
  ) {
    this.progress = progress;
    this.journal = journalOf(hv);
  }

  result(lesson: Lesson, step: LessonStep): ShownResult | undefined {
    return this.results[`${lesson.id}/${step.id}`];
  }

  async check(lesson: Lesson, step: LessonStep): Promise<ShownResult> {
    const key = `${lesson.id}/${step.id}`;
    if (this.results[key]?.status === "running") return this.results[key];
    this.results[key] = { status: "running" };
    let shown: ShownResult;
    try {
      const result = await step.check({
        hv: this.hv,
        journal: this.journal,
        answers: this.progress.answers,
        onProgress: (message) => (this.results[key] = { status: "running", message }),
      });
      shown = result;
    } catch (error) {
      const sentence = describeError(error);
      shown = {
        status: "fail",
        message: { en: `The check failed: ${sentence}`, ru: `Проверка не удалась: ${sentence}` },
      };
    }
    this.results[key] = shown;
    if (shown.status === "pass") this.progress.markDone(lesson.id, step.id);
    return shown;
  }

  async startLab(name: string): Promise<void> {
    const lab = LABS[name];
    if (!lab || this.labStatus[name]?.starting) return;
    this.labStatus[name] = { starting: true };
    try {
      await startLab(this.hv, lab);
      this.labStatus[name] = { starting: false };
    } catch (error) {
      this.labStatus[name] = { starting: false, error: describeError(error) };
    }
  }
}

let session: LessonSession | undefined;

/** The page's one session, made on first use. */
export function lessonSession(hv: Hypervisor): LessonSession {
  if (!session || session.hv !== hv) session = new LessonSession(hv);
  return session;
}
