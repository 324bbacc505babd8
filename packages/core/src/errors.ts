/**
 * Every failure the core reports is a HyperlabError: a stable `code` that scripts and
 * tests match on, and a sentence a person can read (the UI and the CLI show it as is).
 */
export type ErrorCode =
  | "invalid-spec"
  | "unknown-image"
  | "image-missing"
  | "image-corrupt"
  | "not-bootable"
  | "memory-too-small"
  | "memory-not-power-of-two"
  | "memory-over-budget"
  /** A network segment has no address left for another guest (its subnet's pool is used up). */
  | "segment-full"
  | "invalid-state"
  | "unknown-guest"
  | "boot-timeout"
  | "exec-timeout"
  /** The command's output could not be told apart: its begin marker did not come back as typed. */
  | "exec-garbled"
  /** Nothing on the guest's consoles can say when its shell reads input. */
  | "no-shell"
  | "guest-crashed"
  | "guest-terminated"
  | "worker-failed"
  | "snapshot-corrupt"
  | "snapshot-incompatible"
  | "snapshot-version"
  | "migration-failed"
  /** The browser gives the page no storage (IndexedDB off, as in a private window). */
  | "storage-unavailable"
  /** The browser's storage for the site is full; what was stored before is kept. */
  | "storage-full"
  /** A pcap or pcapng file that is not one, or is damaged (network/pcap.ts, pcapng.ts). */
  | "capture-corrupt";

export interface SerializedError {
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

export class HyperlabError extends Error {
  override readonly name = "HyperlabError";
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }

  toJSON(): SerializedError {
    return { code: this.code, message: this.message, details: this.details };
  }

  static from(value: SerializedError): HyperlabError {
    return new HyperlabError(value.code, value.message, value.details ?? {});
  }
}

export function isHyperlabError(value: unknown): value is HyperlabError {
  return value instanceof HyperlabError;
}

/**
 * A value as a sentence quotes it (what a user wrote in a bad field). Never throws: String() does
 * on an object without a prototype and template literals do on symbols.
 */
export function shownValue(value: unknown): string {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** A sentence for anything thrown: our own errors keep their text, others get their message. */
export function describeError(value: unknown): string {
  if (value instanceof Error) return value.message || value.name;
  return String(value);
}
