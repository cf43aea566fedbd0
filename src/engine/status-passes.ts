/**
 * Status passes (a whole-repository status count for the window), scheduled per folder: at most
 * one pending or running at a time, the next no sooner than 300 ms, or ten times what the last
 * one cost (a folder of many files is recounted less often instead of keeping a core busy while
 * transfers run). A change during a pass runs one more after it.
 */
interface StatusPass {
  timer: NodeJS.Timeout | undefined;
  isRunning: boolean;
  /** something changed while it ran: run again after it */
  isDirty: boolean;
  /** how long the last one took (ms) */
  costMs: number;
}

export class StatusPasses {
  private readonly passes = new Map<string, StatusPass>();
  private isStopped = false;

  /** `run(key)` does the pass (it must not throw). */
  constructor(private readonly run: (key: string) => Promise<void>) {}

  /** A pass for `key` soon. */
  soon(key: string): void {
    if (this.isStopped) return;
    let pass = this.passes.get(key);
    if (!pass) {
      pass = { timer: undefined, isRunning: false, isDirty: false, costMs: 0 };
      this.passes.set(key, pass);
    }
    if (pass.isRunning) {
      pass.isDirty = true;
      return;
    }
    if (pass.timer) return;
    const p = pass;
    p.timer = setTimeout(
      () => {
        p.timer = undefined;
        if (this.isStopped) return;
        p.isRunning = true;
        const started = Date.now();
        void this.run(key)
          .catch(() => undefined)
          .finally(() => {
            p.costMs = Date.now() - started;
            p.isRunning = false;
            if (p.isDirty) {
              p.isDirty = false;
              this.soon(key);
            }
          });
      },
      Math.max(300, 10 * p.costMs),
    );
  }

  stop(): void {
    this.isStopped = true;
    for (const p of this.passes.values()) if (p.timer) clearTimeout(p.timer);
  }
}
