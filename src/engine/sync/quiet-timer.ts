/**
 * Runs `fire` once things have been quiet for `quietMs` after the last `touch`, but no later
 * than `maxMs` after the first touch since it last fired (a steady stream still fires).
 */
export class QuietTimer {
  private timer: NodeJS.Timeout | undefined;
  private since: number | undefined;

  constructor(
    private readonly fire: () => void,
    private readonly quietMs: number,
    private readonly maxMs: number,
  ) {}

  touch(): void {
    const now = Date.now();
    this.since ??= now;
    if (this.timer) clearTimeout(this.timer);
    const due = Math.min(now + this.quietMs, this.since + this.maxMs);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.since = undefined;
      this.fire();
    }, due - now);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
