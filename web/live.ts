// Live mode's timing: an answer comes once the hand has paused for LIVE_PAUSE_MS after a stroke,
// so a two-stroke 4 is not answered as a 1 after its first stroke.

/** How long the pen must rest after a stroke before live mode answers (ms). */
export const LIVE_PAUSE_MS = 600;

export class LiveTimer {
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    readonly enabled: () => boolean,
    private readonly pauseMs = LIVE_PAUSE_MS,
  ) {}

  /** Runs `answer` after the pause, unless a new stroke (or Detect) cancels it first. */
  schedule(answer: () => void): void {
    this.cancel();
    this.timer = setTimeout(() => {
      this.timer = null;
      answer();
    }, this.pauseMs);
  }

  cancel(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
