/**
 * Bounds on the text a plugin makes the host print or keep: lines cut at a
 * length, and at most so many a second with the rest dropped and counted.
 * One implementation for the plugin's stdout and stderr and for what it sends
 * through `ctx.log` and `ctx.window.showMessage`, so no route is wider than
 * another.
 */

/** Longer log lines are cut: a plugin cannot make the host hold an endless line. */
export const MAX_LINE_CHARS = 8192;
/** A message shown to the user is a sentence or two, not a document. */
export const MAX_MESSAGE_CHARS = 2000;

export function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/**
 * At most `perSecond` items in each one-second window; the rest are dropped, and how many is reported (through
 * `onDropped`) when the window ends, or at `flush()`.
 */
export class RateWindow {
  #windowStart = 0;
  #passed = 0;
  #dropped = 0;
  #report: NodeJS.Timeout | undefined;

  constructor(
    private readonly perSecond: number,
    private readonly onDropped: (dropped: number) => void,
  ) {}

  /** Whether one more item may pass now. */
  admit(): boolean {
    const now = performance.now();
    if (now - this.#windowStart >= 1000) {
      this.flush();
      this.#windowStart = now;
      this.#passed = 0;
    }
    if (this.#passed < this.perSecond) {
      this.#passed += 1;
      return true;
    }
    this.#dropped += 1;
    if (!this.#report) {
      this.#report = setTimeout(() => this.flush(), this.#windowStart + 1000 - now);
      this.#report.unref();
    }
    return false;
  }

  /** Reports what was dropped since the last report. */
  flush(): void {
    clearTimeout(this.#report);
    this.#report = undefined;
    if (this.#dropped === 0) return;
    const dropped = this.#dropped;
    this.#dropped = 0;
    this.onDropped(dropped);
  }
}
