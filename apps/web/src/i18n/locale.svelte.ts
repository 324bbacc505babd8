import { en, type MessageKey } from "./en";
import { format } from "./format";
import { ru } from "./ru";

export type Lang = "en" | "ru";

export const dictionaries: Record<Lang, Record<MessageKey, string>> = { en, ru };

const STORAGE_KEY = "hyperlab.lang";

function storedLang(): Lang {
  try {
    const saved = globalThis.localStorage?.getItem(STORAGE_KEY);
    if (saved === "en" || saved === "ru") return saved;
  } catch {
    // Storage can be disabled; the default is fine then.
  }
  return globalThis.navigator?.language?.startsWith("ru") ? "ru" : "en";
}

/** The interface language: remembered in localStorage, reflected in <html lang>. */
export class Locale {
  lang = $state<Lang>(storedLang());

  /** The translation of `key`, with `{placeholders}` filled from `params`. */
  t = (key: MessageKey, params?: Record<string, string | number>): string =>
    format(dictionaries[this.lang][key], params);

  set(lang: Lang): void {
    this.lang = lang;
    try {
      globalThis.localStorage?.setItem(STORAGE_KEY, lang);
    } catch {
      // Not remembered, but switched.
    }
  }

  toggle(): void {
    this.set(this.lang === "en" ? "ru" : "en");
  }
}

export const locale = new Locale();
export const t = locale.t;
