import { ALLOWED, describeError, isHyperlabError, type ErrorCode, type GuestAction } from "@hyperlab/core";
import { en, type MessageKey } from "./i18n/en";
import { placeholders } from "./i18n/format";
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

/** The key of an action's verb as the invalid-state sentence says it; every action has one. */
const verbKey = (action: GuestAction) => `verb.${action}` as const satisfies MessageKey;
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

/**
 * Sentences that need more than the error's details: words the page translates itself (where,
 * the action, the states). Every other sentence is a template filled from the details.
 */
const SENTENCES: Partial<
  Record<ErrorCode, (details: Record<string, unknown> | undefined, t: Translate) => string | undefined>
> = {
  "memory-over-budget": (d, t) => {
    const p = pick(d, ["guest", "memoryMiB", "freeMiB", "budgetMiB", "usedMiB"]);
    if (!p) return undefined;
    const where = typeof d?.host === "string" ? t("errorText.hostNamed", { host: d.host }) : t("errorText.theHost");
    // What running the guest costs beyond its RAM, when the core counted it (it always does now).
    const parts = pick(d, ["ramMiB", "overheadMiB"]);
    if (parts && Number(parts.overheadMiB) > 0)
      return t("errorText.memory-over-budget.overhead", { ...p, ...parts, where });
    return t("errorText.memory-over-budget", { ...p, where });
  },
  "invalid-state": (d, t) => {
    const p = pick(d, ["guest", "action", "state"]);
    const allowed = d?.allowed;
    if (!p || !Array.isArray(allowed) || !Object.hasOwn(ALLOWED, p.action)) return undefined;
    const state = (s: unknown) => t(`state.${String(s)}` as MessageKey);
    return t("errorText.invalid-state", {
      guest: p.guest,
      action: t(verbKey(p.action as GuestAction)),
      state: state(p.state),
      allowed: allowed.map(state).join(", "),
    });
  },
};

/** `errorText.<key>` with every placeholder filled from the details, if the page has it and they do. */
function fromDetails(key: string, details: Record<string, unknown> | undefined, t: Translate): string | undefined {
  const name = `errorText.${key}` as MessageKey;
  if (!(name in en)) return undefined;
  const params = pick(details, placeholders(en[name]));
  return params && t(name, params);
}

/**
 * The sentence to show for an error in the page's language: translated from its details where
 * the page knows the sentence (per code, or per code and `reason` when the core names the rule
 * that was broken), otherwise the core's own (English) sentence.
 */
export function errorSentence(error: ShownError, t: Translate = locale.t): string {
  const { code, details } = error;
  if (!code) return error.message;
  const reason = typeof details?.reason === "string" ? details.reason : undefined;
  return (
    SENTENCES[code]?.(details, t) ??
    (reason === undefined ? undefined : fromDetails(`${code}.${reason}`, details, t)) ??
    fromDetails(code, details, t) ??
    error.message
  );
}
