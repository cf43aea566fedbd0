/** Token buckets: `take(n)` resolves when n bytes may pass at `bytesPerSecond` (0 = unlimited). */
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

/** The limits a transferrer applies: one for all its transfers, one per remote (0 = none). */
export class RateLimits {
  private readonly all = new RateLimit(0);
  private readonly remotes = new Map<string, RateLimit>();

  private of(remote: string): RateLimit {
    let l = this.remotes.get(remote);
    if (!l) {
      l = new RateLimit(0);
      this.remotes.set(remote, l);
    }
    return l;
  }

  /** Sets the limit for every transfer, or for one remote's. */
  set(bytesPerSecond: number, remote?: string): void {
    if (remote) this.of(remote).setLimit(bytesPerSecond);
    else this.all.setLimit(bytesPerSecond);
  }

  /** What a transfer to or from `remote` awaits before each chunk. */
  throttle(remote: string, signal: AbortSignal): (bytes: number) => Promise<void> {
    return async (n) => {
      await this.all.take(n, signal);
      await this.of(remote).take(n, signal);
    };
  }

  get overall(): number {
    return this.all.limit;
  }

  /** The remotes with a limit of their own, by name. */
  perRemote(): Record<string, number> {
    return Object.fromEntries(
      [...this.remotes].filter(([, l]) => l.limit > 0).map(([n, l]) => [n, l.limit]),
    );
  }
}
