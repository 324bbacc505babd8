import type { Hypervisor } from "@hyperlab/core";
import type { Lang } from "../i18n/locale.svelte";
import type { StateJournal } from "./journal";

/** Lesson text exists in every interface language; a missing translation is a type error. */
export type Text = Record<Lang, string>;

/** What a check found: a pass, a fail (with what is missing), or a feature the lab lacks yet. */
export type CheckStatus = "pass" | "fail" | "needs";

export interface CheckResult {
  status: CheckStatus;
  message: Text;
}

/** What a step's check may look at: the real hypervisor, what happened to it, and the student's answers. */
export interface CheckContext {
  hv: Hypervisor;
  journal: StateJournal;
  /** The student's answers to the lessons' exercises (classification, quiz, notes), by key. */
  answers: Readonly<Record<string, unknown>>;
  /** Progress of a check that watches for a while. */
  onProgress?: (message: Text) => void;
  signal?: AbortSignal;
}

export type StepCheck = (ctx: CheckContext) => Promise<CheckResult>;

export interface LessonStep {
  /** Unique within its lesson; progress is saved under `<lesson>/<step>`. */
  id: string;
  /** What to do. */
  title: Text;
  /** How to do it in this app. */
  how: Text;
  check: StepCheck;
}

export interface LessonSection {
  heading: Text;
  /** Paragraphs. */
  body: Text[];
}

/** The interactive part a lesson shows between its text and its lab steps. */
export type Exercise = "classification" | "hypervisor-types" | "vendor-architectures" | "platform-table" | "api-script";

export interface Lesson {
  id: string;
  /** The part of the lecture it covers, 1–7. */
  number: number;
  title: Text;
  summary: Text;
  sections: LessonSection[];
  exercise?: Exercise;
  /** The lab file (labs/<name>.lab.json) whose guests the steps use. */
  lab?: string;
  steps: LessonStep[];
}

export function text(en: string, ru: string): Text {
  return { en, ru };
}

export const pass = (en: string, ru: string): CheckResult => ({ status: "pass", message: { en, ru } });
export const fail = (en: string, ru: string): CheckResult => ({ status: "fail", message: { en, ru } });
export const needs = (en: string, ru: string): CheckResult => ({ status: "needs", message: { en, ru } });
