/**
 * The work-tree paths waiting for the assistant's commit job: when each last changed and first
 * changed (commit-batch.ts picks the quiet ones), and how long to wait after a commit failed
 * (sooner the first times, doubling while it keeps failing). `.` stands for the whole tree.
 */
import { FIRST_COMMIT_RETRY_MS, MAX_COMMIT_RETRY_MS } from './assistant-options';
import { commitBatch, type CommitBatch } from './commit-batch';

export class PendingPaths {
  private readonly last = new Map<string, number>();
  /** when each path first changed since its last commit (a file being written waits longer) */
  private readonly first = new Map<string, number>();
  private retryMs = FIRST_COMMIT_RETRY_MS;

  get size(): number {
    return this.last.size;
  }

  touch(path: string, at: number): void {
    if (!this.last.has(path)) this.first.set(path, at);
    this.last.set(path, at);
  }

  /** Everything is looked at again (start, the folder came back). */
  rescan(): void {
    this.touch('.', 0);
  }

  clear(): void {
    this.last.clear();
    this.first.clear();
  }

  /** The paths to commit now, taken out; or when to look again. */
  take(now: number, options: { quietMs: number; max: number; maxDelayMs: number }): CommitBatch {
    const batch = commitBatch(this.last, now, { ...options, firstAt: this.first });
    for (const p of batch.ready) {
      this.last.delete(p);
      this.first.delete(p);
    }
    return batch;
  }

  /** A commit of `paths` failed: they wait again (nothing is lost); returns when to retry. */
  failed(paths: readonly string[], at: number): number {
    for (const p of paths) if (!this.last.has(p)) this.touch(p, at);
    const delay = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, MAX_COMMIT_RETRY_MS);
    return delay;
  }

  succeeded(): void {
    this.retryMs = FIRST_COMMIT_RETRY_MS;
  }
}
