import { describeError, isHyperlabError, type ErrorCode } from "@hyperlab/core";
import { en, type MessageKey } from "./i18n/en";
import { locale } from "./i18n/locale.svelte";

/** An error as the page shows it: a translated title for its code, and a sentence. */
export interface ShownError {
  code?: ErrorCode;
  /** The core's own sentence (English). */
  message: string;
  /** The facts the core attached (guest, sizes, states), from which the sentence is translated. */
  details?: Record<string, unknown>;
}

export function shownError(error: unknown): ShownError {
  // Errors that crossed a worker keep their code but may not be HyperlabError instances.
  const code = isHyperlabError(error)
    ? error.code
    : ((error as { code?: unknown } | undefined)?.code as ErrorCode | undefined);
  const details = (error as { details?: unknown } | undefined)?.details;
  return {
    code: typeof code === "string" ? code : undefined,
    message: describeError(error),
    details: details && typeof details === "object" ? (details as Record<string, unknown>) : undefined,
  };
}

/** The dictionary key of an error's title. */
export function errorTitleKey(error: ShownError): MessageKey {
  return (error.code ? `error.${error.code}` : "error.generic") as MessageKey;
}

type Params = Record<string, string | number>;
type Translate = (key: MessageKey, params?: Params) => string;

/** Picks the named details if every one of them is a string or a number. */
function pick(details: Record<string, unknown> | undefined, names: string[]): Params | undefined {
  if (!details) return undefined;
  const params: Params = {};
  for (const name of names) {
    const value = details[name];
    if (typeof value !== "string" && typeof value !== "number") return undefined;
    params[name] = value;
  }
  return params;
}

/** The sentences the page translates, by code: from the error's details, or not at all. */
const SENTENCES: Partial<
  Record<ErrorCode, (details: Record<string, unknown> | undefined, t: Translate) => string | undefined>
> = {
  "memory-over-budget": (d, t) => {
    const p = pick(d, ["guest", "memoryMiB", "freeMiB", "budgetMiB", "usedMiB"]);
    if (!p) return undefined;
    const where = typeof d?.host === "string" ? t("errorText.hostNamed", { host: d.host }) : t("errorText.theHost");
    return t("errorText.memory-over-budget", { ...p, where });
  },
  "invalid-state": (d, t) => {
    const p = pick(d, ["guest", "action", "state"]);
    const allowed = d?.allowed;
    if (!p || !Array.isArray(allowed)) return undefined;
    const verb = `verb.${p.action}` as MessageKey;
    const state = (s: unknown) => t(`state.${String(s)}` as MessageKey);
    return t("errorText.invalid-state", {
      guest: p.guest,
      action: t(verb),
      state: state(p.state),
      allowed: allowed.map(state).join(", "),
    });
  },
  "memory-too-small": (d, t) => {
    const p = pick(d, ["image", "minMemoryMiB", "memoryMiB"]);
    return p && t("errorText.memory-too-small", p);
  },
  "memory-not-power-of-two": (d, t) => {
    const p = pick(d, ["memoryMiB"]);
    return p && t("errorText.memory-not-power-of-two", p);
  },
  "guest-crashed": (d, t) => {
    const p = pick(d, ["guest", "reason"]);
    return p && t("errorText.guest-crashed", p);
  },
  "migration-failed": (d, t) => {
    const p = pick(d, ["guest", "fromName", "toName", "cause"]);
    return p && t("errorText.migration-failed", p);
  },
};

/**
 * Errors whose details name a `reason` have a sentence per reason (`errorText.<code>.<reason>`),
 * with the other details as its placeholders.
 */
function byReason(code: ErrorCode, details: Record<string, unknown> | undefined, t: Translate): string | undefined {
  const reason = details?.reason;
  if (typeof reason !== "string") return undefined;
  const key = `errorText.${code}.${reason}`;
  if (!(key in en)) return undefined;
  const params: Params = {};
  for (const [name, value] of Object.entries(details ?? {}))
    if (typeof value === "string" || typeof value === "number") params[name] = value;
  return t(key as MessageKey, params);
}

/**
 * The sentence to show for an error in the page's language: translated from its details where
 * the page knows the sentence, otherwise the core's own (English) sentence.
 */
export function errorSentence(error: ShownError, t: Translate = locale.t): string {
  if (!error.code) return error.message;
  return SENTENCES[error.code]?.(error.details, t) ?? byReason(error.code, error.details, t) ?? error.message;
}
