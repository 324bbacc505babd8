import { format } from "../i18n/format";
import { locale } from "../i18n/locale.svelte";
import type { Text } from "./model";

/** The lessons view's own words (lesson content carries its text itself). */
export const UI = {
  title: { en: "Lessons", ru: "Уроки" },
  intro: {
    en: "The lecture on virtualization management systems as seven hands-on lessons. Steps are checked automatically against the real guests in this tab; your progress stays in this browser.",
    ru: "Лекция о системах управления виртуализацией в виде семи практических уроков. Шаги проверяются автоматически на настоящих гостевых машинах в этой вкладке; прогресс хранится в этом браузере.",
  },
  listLabel: { en: "Lessons of the lecture", ru: "Уроки лекции" },
  stepsDone: { en: "{done} of {total} steps", ru: "шагов: {done} из {total}" },
  lessonN: { en: "Lesson {n}", ru: "Урок {n}" },
  lab: { en: "Lab", ru: "Лабораторная" },
  labFile: { en: "Lab file", ru: "Файл лабораторной" },
  labCli: { en: "The same lab from a terminal:", ru: "Та же лабораторная из терминала:" },
  startLab: { en: "Start this lab's guests", ru: "Запустить машины лабораторной" },
  startingLab: { en: "Starting the lab's guests…", ru: "Запускаем машины лабораторной…" },
  labFailed: { en: "The lab's guests did not start: {reason}", ru: "Машины лабораторной не запустились: {reason}" },
  notCreated: { en: "not created", ru: "не создана" },
  console: { en: "Console", ru: "Консоль" },
  steps: { en: "Steps", ru: "Шаги" },
  check: { en: "Check", ru: "Проверить" },
  checking: { en: "Checking…", ru: "Проверяем…" },
  status_pass: { en: "Done", ru: "Выполнено" },
  status_fail: { en: "Not yet", ru: "Пока нет" },
  status_needs: { en: "Needs a feature", ru: "Нужна функция" },
  status_running: { en: "Checking", ru: "Проверка" },
  doneEarlier: { en: "Done earlier", ru: "Выполнено ранее" },
  resetLesson: { en: "Reset this lesson's progress", ru: "Сбросить прогресс урока" },
  lectureMode: { en: "Lecture mode", ru: "Режим лекции" },
  lectureLabel: { en: "Lecture mode: {title}", ru: "Режим лекции: {title}" },
  exitLecture: { en: "Exit (Esc)", ru: "Выйти (Esc)" },
  previous: { en: "Previous", ru: "Назад" },
  next: { en: "Next", ru: "Далее" },
  slideOf: { en: "{n} / {total}", ru: "{n} / {total}" },
  lectureKeys: { en: "← → or Space to move, Esc to leave", ru: "← → или пробел — листать, Esc — выйти" },
  // Lesson 1
  classifyCaption: { en: "Classify each product", ru: "Классифицируйте каждый продукт" },
  product: { en: "Product", ru: "Продукт" },
  choose: { en: "choose…", ru: "выберите…" },
  notAsked: { en: "not asked", ru: "не оценивается" },
  cellLabel: { en: "{dimension} of {product}", ru: "{dimension}: {product}" },
  wrongCell: { en: "wrong", ru: "ошибка" },
  // Lessons 3 and 4
  diagramLabel: {
    en: "Where the scheduler, memory manager and drivers live: {type}",
    ru: "Где находятся планировщик, менеджер памяти и драйверы: {type}",
  },
  showType: { en: "Show", ru: "Показать" },
  whichType: { en: "Which type is Hyperlab?", ru: "К какому типу относится Hyperlab?" },
  // Lesson 6
  sortBy: { en: "Sort by {column}", ru: "Сортировать по столбцу «{column}»" },
  bestFit: { en: "Best fit (lecture)", ru: "Кому подходит (по лекции)" },
  yourNote: { en: "Your note", ru: "Ваша заметка" },
  notePlaceholder: { en: "why, for your scenario…", ru: "почему, для вашего сценария…" },
  noteFor: { en: "Your note on {name}", ru: "Ваша заметка о {name}" },
  myPick: { en: "My pick", ru: "Мой выбор" },
  pickFor: { en: "Pick {name}", ru: "Выбрать {name}" },
  // Lesson 7
  script: { en: "A script against window.hyperlab", ru: "Скрипт для window.hyperlab" },
  runScript: { en: "Run the script", ru: "Запустить скрипт" },
  runningScript: { en: "Running…", ru: "Выполняется…" },
  scriptResult: { en: "Result", ru: "Результат" },
  scriptError: { en: "Error", ru: "Ошибка" },
} satisfies Record<string, Text>;

export type UiKey = keyof typeof UI;

/** A lessons-view string in the current language, placeholders filled. */
export function ui(key: UiKey, params?: Record<string, string | number>): string {
  return format(UI[key][locale.lang], params);
}

/** Lesson text in the current language. */
export function tr(text: Text): string {
  return text[locale.lang];
}
