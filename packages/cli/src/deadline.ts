import { HyperlabError } from "@hyperlab/core";

/** One time budget shared by the steps of a command (boot, then the command itself). */
export class Deadline {
  private readonly end: number;

  constructor(readonly seconds: number) {
    this.end = Date.now() + seconds * 1000;
  }

  /** Milliseconds left, at least 1 so that a late step still fails with its own timeout. */
  left(): number {
    return Math.max(1, this.end - Date.now());
  }

  /** `promise`, or a `boot-timeout` error if the budget runs out first. */
  async within<T>(promise: Promise<T>, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new HyperlabError("boot-timeout", `${what} took longer than ${this.seconds} s.`)),
        this.left(),
      );
    });
    try {
      return await Promise.race([promise, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
