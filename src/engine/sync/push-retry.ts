/**
 * Remotes whose last push failed: each with its reason and its next retry (after the retry
 * interval, `ferry.pushretryinterval` seconds, default 30 min, or at once when it becomes
 * reachable again: a drive plugged in, a host back). A timer looks for due remotes every
 * `checkMs` while any failed, and asks for a reconnect when one is due.
 */
import type { SyncEvent } from '../../shared/events';
import type { RemoteInfo } from '../remotes/git-remotes';
import { getConfig } from '../git/read';
import type { Repository } from '../annex/repository';
import type { DistributiveOmit, RemoteSyncResult } from './context';

export interface FailedRemote {
  readonly retryAt: number;
  readonly reason: string;
}

export class PushRetry {
  private readonly failed = new Map<string, FailedRemote>();
  private timer: NodeJS.Timeout | undefined;
  private intervalMs = 30 * 60 * 1000;
  private isStopped = false;

  constructor(
    private readonly options: {
      readonly emit: (e: DistributiveOmit<SyncEvent, 'repo' | 'at'>) => void;
      /** the remotes as they are now (reachable or not) */
      readonly remotes: () => Promise<RemoteInfo[]>;
      /** some failed remote is due: pull, merge and push again */
      readonly onDue: (remotes: readonly string[]) => void;
      readonly intervalMs?: number;
      readonly checkMs?: number;
    },
  ) {}

  /** Reads `ferry.pushretryinterval` (seconds) unless an interval was given. */
  async configure(repo: Repository): Promise<void> {
    const configured = Number(await getConfig(repo.git, 'ferry.pushretryinterval'));
    this.intervalMs =
      this.options.intervalMs ??
      (Number.isFinite(configured) && configured > 0 ? configured * 1000 : this.intervalMs);
  }

  /** Records a push round: failures (announced with their retry time) and successes. */
  record(results: readonly RemoteSyncResult[]): void {
    for (const r of results) {
      if (r.pushed !== 'failed') {
        this.failed.delete(r.remote);
        continue;
      }
      const retryAt = Date.now() + this.intervalMs;
      const reason = r.reason ?? 'unknown';
      this.failed.set(r.remote, { retryAt, reason });
      this.options.emit({ type: 'push-failed', remote: r.remote, reason, retryAt });
    }
    this.watch();
  }

  list(): { remote: string; reason: string; retryAt: number }[] {
    return [...this.failed].map(([remote, f]) => ({ remote, ...f }));
  }

  stop(): void {
    this.isStopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private watch(): void {
    if (this.timer || this.failed.size === 0 || this.isStopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.check();
    }, this.options.checkMs ?? 5000);
  }

  private async check(): Promise<void> {
    if (this.isStopped) return;
    const now = Date.now();
    const due = (await this.options.remotes().catch(() => [])).filter((r) => {
      const f = this.failed.get(r.name);
      return f !== undefined && (now >= f.retryAt || r.isAvailable);
    });
    if (due.length > 0 && !this.isStopped) this.options.onDue(due.map((r) => r.name));
    this.watch();
  }
}
