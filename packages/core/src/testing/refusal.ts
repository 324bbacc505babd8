/** For tests of refusals: the typed error `run` throws, or a failure if it throws none or another. */
import { HyperlabError } from "../errors.js";

export function refusalOf(run: () => unknown): HyperlabError {
  try {
    run();
  } catch (error) {
    if (error instanceof HyperlabError) return error;
    throw new Error(`expected a HyperlabError, got ${String(error)}`, { cause: error });
  }
  throw new Error("nothing was refused");
}
