/**
 * Promises the transferrer settles when its state allows: "idle" (nothing runs and nothing
 * queued can start), "remote idle" (nothing left to move with one remote), and "room" (a scan
 * waits while the queue is full).
 */
export class Waiters {
  private readonly idle: (() => void)[] = [];
  private readonly room: (() => void)[] = [];
  private readonly remotes = new Set<{ remote: string; resolve: () => void }>();

  whenIdle(isIdle: boolean): Promise<void> {
    if (isIdle) return Promise.resolve();
    return new Promise((r) => this.idle.push(r));
  }

  whenRemoteIdle(remote: string, isBusy: boolean): Promise<void> {
    if (!isBusy) return Promise.resolve();
    return new Promise((resolve) => this.remotes.add({ remote, resolve }));
  }

  forRoom(): Promise<void> {
    return new Promise((r) => this.room.push(r));
  }

  wakeRoom(): void {
    for (const w of this.room.splice(0)) w();
  }

  /** Settles what the current state allows. */
  settle(isIdle: () => boolean, isRemoteBusy: (remote: string) => boolean): void {
    for (const w of [...this.remotes]) {
      if (isRemoteBusy(w.remote)) continue;
      this.remotes.delete(w);
      w.resolve();
    }
    if (!isIdle()) return;
    for (const w of this.idle.splice(0)) w();
  }
}

/** A map that forgets its oldest entries beyond `max` (memory stays bounded). */
export class BoundedMap<K, V> extends Map<K, V> {
  constructor(private readonly max: number) {
    super();
  }

  override set(key: K, value: V): this {
    if (this.has(key)) this.delete(key);
    super.set(key, value);
    if (this.size > this.max) {
      const oldest = this.keys().next();
      if (!oldest.done) this.delete(oldest.value);
    }
    return this;
  }
}
