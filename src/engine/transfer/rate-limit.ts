/** A token bucket: `take(n)` resolves when n bytes may pass at `bytesPerSecond` (0 = unlimited). */
import { setTimeout as sleep } from 'node:timers/promises';

export class RateLimit {
  private available: number;
  private last = Date.now();

  constructor(private bytesPerSecond: number) {
    this.available = bytesPerSecond;
  }

  get limit(): number {
    return this.bytesPerSecond;
  }

  setLimit(bytesPerSecond: number): void {
    this.bytesPerSecond = bytesPerSecond;
    // a new limit starts with a fresh allowance, not with the debt of the old one
    this.available = Math.max(0, Math.min(this.available, bytesPerSecond));
  }

  async take(bytes: number, signal?: AbortSignal): Promise<void> {
    for (;;) {
      // the limit may be lifted while a transfer waits here
      if (this.bytesPerSecond <= 0) return;
      const now = Date.now();
      this.available = Math.min(
        this.bytesPerSecond,
        this.available + ((now - this.last) / 1000) * this.bytesPerSecond,
      );
      this.last = now;
      if (this.available >= bytes || this.available >= this.bytesPerSecond) {
        this.available -= bytes;
        return;
      }
      const waitMs = Math.min(
        1000,
        ((Math.min(bytes, this.bytesPerSecond) - this.available) / this.bytesPerSecond) * 1000,
      );
      await sleep(Math.max(5, waitMs), undefined, { signal });
    }
  }
}
