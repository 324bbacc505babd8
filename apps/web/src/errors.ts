import { describeError, isHyperlabError, type ErrorCode } from "@hyperlab/core";
import type { MessageKey } from "./i18n/en";

/** An error as the page shows it: a translated title for its code, and the core's own sentence. */
export interface ShownError {
  code?: ErrorCode;
  message: string;
}

export function shownError(error: unknown): ShownError {
  // Errors that crossed a worker keep their code but may not be HyperlabError instances.
  const code = isHyperlabError(error)
    ? error.code
    : ((error as { code?: unknown } | undefined)?.code as ErrorCode | undefined);
  return { code: typeof code === "string" ? code : undefined, message: describeError(error) };
}

/** The dictionary key of an error's title. */
export function errorTitleKey(error: ShownError): MessageKey {
  return (error.code ? `error.${error.code}` : "error.generic") as MessageKey;
}
