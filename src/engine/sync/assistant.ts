/**
 * The assistant for one repository: a serialized loop that watchers, timers and "sync now" only
 * schedule, with one network lane beside it (pulls and pushes run there, one at a time, so a
 * slow or dead link never holds up a commit or a merge). Its jobs, in priority order:
 *   merge   refs pushed in by others (or fetched) changed: merge them, union-merge git-annex;
 *   commit  work-tree paths quiet for `quietMs`: add/remove them in one commit (a burst becomes
 *           a few large commits, at most `maxBatch` paths each);
 *   push    after a commit or merge: push to every available remote in parallel; a rejected
 *           push pulls, merges and pushes again; remotes still failing are retried after
 *           `retryIntervalMs` and at once when their path comes back (a drive plugged in).
 * Shared state: the pending paths (watcher → commit job, pending-paths.ts), the failed remotes (push job →
 * push-retry.ts's timer) and the job flags. Nothing else runs git on the repository in this process
 * (withRepositoryLock).
 */
import { runChangeHook } from './change-hook';
import { changedPath } from './commit-batch';
import { PendingPaths } from './pending-paths';
import type { Repository } from '../annex/repository';
import type { SyncEvent } from '../../shared/events';
import type { RemoteInfo } from '../remotes/git-remotes';
import {
  commitChanges,
  syncContext,
  syncRemotes,
  withRepositoryLock,
  type SyncContext,
} from './sync';
import { mergeRound, pullRound, pushRound, pushState } from './rounds';
import type { WatchEvent } from './watcher';
import { RepositoryWatch } from './repository-watch';
import { isAsWeLeftIt } from '../annex/own-writes';
import { errorMessage } from '../../shared/errors';
import { mark, span, traced } from '../trace';
import { carriesGit } from '../remotes/registry';
import { PushRetry } from './push-retry';
import { RemoteNotices } from './remote-notices';
import { QuietTimer } from './quiet-timer';
import { ContentGlue } from './content-glue';
import {
  LOGS_PUSH_DELAY_MS,
  LOGS_PUSH_MAX_DELAY_MS,
  MAX_COMMIT_DELAY_MS,
  type AssistantOptions,
} from './assistant-options';

export type { AssistantOptions } from './assistant-options';

export class Assistant {
  private readonly ctx: SyncContext;
  private readonly pending = new PendingPaths();
  private readonly retry: PushRetry;
  private readonly notices: RemoteNotices;
  /** remotes that told us their refs moved: pulled next */
  private readonly pulls = new Set<string>();
  private readonly jobs = { merge: false, commit: false, push: false, reconnect: false };
  private running: Promise<void> | undefined;
  /** aborted by stop(): ends a pull or push waiting on a link */
  private readonly stopping = new AbortController();
  /** the pull or push under way in the network lane */
  private network: Promise<void> | undefined;
  private commitTimer: NodeJS.Timeout | undefined;
  private isStopped = false;
  private readonly idleWaiters: (() => void)[] = [];
  private readonly watching: RepositoryWatch;

  constructor(
    private readonly repo: Repository,
    private readonly options: AssistantOptions,
  ) {
    this.ctx = syncContext(repo, { events: (e) => this.emit(e), signal: this.stopping.signal });
    this.retry = new PushRetry({
      emit: (e) => this.ctx.emit(e),
      remotes: () => this.availableRemotes(),
      onDue: (names) => {
        this.log(`retrying ${names.join(', ')}`);
        this.jobs.reconnect = true;
        this.kick();
      },
      intervalMs: options.retryIntervalMs,
      checkMs: options.remoteCheckMs,
    });
    this.notices = new RemoteNotices(repo, {
      changed: (remote) => {
        this.pulls.add(remote);
        this.kick();
      },
      has: (oid) => this.ctx.db.has(oid),
      log: (m) => this.log(m),
    });
    this.watching = new RepositoryWatch(repo, options.watch, {
      changed: (events) => this.onWorkTreeEvents(events),
      refsMoved: () => this.refsMoved(),
      configChanged: () => this.remotesChanged(),
      gone: () => this.onRootGone(),
      back: () => this.onRootBack(),
    });
    if (options.transfers) {
      const glue = new ContentGlue(repo, options.transfers, (m) => this.log(m));
      this.glue = glue;
      this.ctx.onTreeChanged = (a, b) => void glue.arrived(a, b);
    }
  }

  /** Location logs changed by a transfer: push the git-annex branch soon. */
  logsChanged(): void {
    this.logsPush.touch();
  }

  private readonly logsPush = new QuietTimer(
    () => {
      this.jobs.push = true;
      this.kick();
    },
    LOGS_PUSH_DELAY_MS,
    LOGS_PUSH_MAX_DELAY_MS,
  );
  private glue: ContentGlue | undefined;

  private emit(e: SyncEvent): void {
    if (e.type === 'annex-branch-merged') this.glue?.locationsChanged();
    this.options.events?.(e);
  }

  private log(message: string): void {
    this.options.log?.(message);
  }

  private get quietMs(): number {
    return this.options.quietMs ?? 80;
  }

  async start(): Promise<void> {
    await this.retry.configure(this.repo);
    await this.options.transfers?.refresh();
    await this.watching.start();
    void this.watchRemotes();
    // Startup: what changed while stopped, what others pushed meanwhile, then reconnect every remote.
    this.pending.rescan();
    this.jobs.merge = true;
    this.jobs.commit = true;
    this.jobs.reconnect = true;
    this.kick();
    const transfers = this.options.transfers;
    if (transfers) {
      void this.whenIdle()
        .then(() => transfers.scan())
        .catch((e: unknown) => this.log(`transfer scan: ${errorMessage(e)}`));
    }
  }

  async stop(): Promise<void> {
    this.isStopped = true;
    if (this.commitTimer) clearTimeout(this.commitTimer);
    this.logsPush.stop();
    this.retry.stop();
    this.notices.stop();
    await this.options.transfers?.stop();
    await this.watching.stop();
    await this.running;
    this.stopping.abort();
    await this.network;
  }

  /** Pull from every reachable remote, merge, push; resolves when that is done. */
  async reconnectNow(): Promise<void> {
    this.jobs.reconnect = true;
    this.kick();
    await this.whenIdle();
  }

  /** Push what is committed (location logs of finished transfers); resolves when done. */
  async pushNow(): Promise<void> {
    this.jobs.push = true;
    this.kick();
    await this.whenIdle();
  }

  /** "Sync now": pull from every remote, merge and push. */
  syncNow(): void {
    this.jobs.reconnect = true;
    this.kick();
  }

  /** Resolves once nothing is pending, queued or running (for tests and the CLI). */
  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** What this assistant's merges use (the guard, content for a changed tree): for undo.ts. */
  get context(): SyncContext {
    return this.ctx;
  }

  /** Remotes whose last push failed, with the reason and the next retry. */
  failedRemotes(): { remote: string; reason: string; retryAt: number }[] {
    return this.retry.list();
  }

  private isIdle(): boolean {
    return (
      !this.running &&
      !this.network &&
      this.pending.size === 0 &&
      this.pulls.size === 0 &&
      !Object.values(this.jobs).some(Boolean)
    );
  }

  /**
   * Remotes changed (config edited, a drive mounted or unmounted): re-read them and the network
   * map, then pull, merge and push with whatever is reachable now.
   */
  remotesChanged(): void {
    void (async () => {
      // a remote just added gets what it wants of what is here (and gives what it has)
      await this.options.transfers?.refreshAndScanNew((e) =>
        this.log(`scanning a new remote: ${errorMessage(e)}`),
      );
      await this.watchRemotes();
      this.jobs.reconnect = true;
      this.kick();
    })().catch((e: unknown) => this.log(`re-reading remotes: ${errorMessage(e)}`));
  }

  private onWorkTreeEvents(events: readonly WatchEvent[]): void {
    const now = Date.now();
    for (const e of events) {
      const rel = changedPath(this.repo.top, e.path);
      // a file a merge or arriving content just wrote, untouched since: already staged
      if (rel === undefined || isAsWeLeftIt(e.path)) continue;
      this.pending.touch(rel, now);
    }
    if (this.pending.size > 0) this.scheduleCommit(this.quietMs);
  }

  /** Refs others push into (synced/*, git-annex) moved: merge them. */
  refsMoved(): void {
    mark('refs-moved');
    this.jobs.merge = true;
    this.kick();
  }

  private onRootGone(): void {
    this.log(`${this.repo.top} disappeared; waiting for it to come back`);
    this.pending.clear();
  }

  private onRootBack(): void {
    if (this.isStopped) return;
    this.log(`${this.repo.top} is back; rescanning`);
    this.pending.rescan();
    this.jobs.commit = true;
    this.jobs.merge = true;
    this.kick();
  }

  private scheduleCommit(delay: number): void {
    if (this.commitTimer) clearTimeout(this.commitTimer);
    this.commitTimer = setTimeout(() => {
      this.commitTimer = undefined;
      this.jobs.commit = true;
      this.kick();
    }, delay);
  }

  private kick(): void {
    if (this.running || this.isStopped || this.watching.isGone) {
      if (!this.running) this.settleIdle();
      return;
    }
    this.running = this.drain().finally(() => {
      this.running = undefined;
      if (this.hasRunnableJob() && !this.isStopped) this.kick();
      else this.settleIdle();
    });
  }

  /** a job the loop could start now (a network one waits while the lane is busy) */
  private hasRunnableJob(): boolean {
    const { merge, commit, push, reconnect } = this.jobs;
    return merge || commit || (!this.network && (push || reconnect || this.pulls.size > 0));
  }

  private settleIdle(): void {
    if (!this.isIdle()) return;
    for (const w of this.idleWaiters.splice(0)) w();
  }

  private async drain(): Promise<void> {
    while (!this.isStopped && !this.watching.isGone) {
      try {
        const isLaneFree = !this.network;
        if (isLaneFree && this.jobs.reconnect) {
          this.jobs.reconnect = false;
          this.pulls.clear();
          this.onNetwork(() => this.reconnect());
        } else if (isLaneFree && this.pulls.size > 0) {
          const told = [...this.pulls];
          this.pulls.clear();
          this.onNetwork(() => this.reconnect(told));
        } else if (this.jobs.merge) {
          this.jobs.merge = false;
          await this.merge();
        } else if (this.jobs.commit) {
          this.jobs.commit = false;
          await this.commit();
        } else if (isLaneFree && this.jobs.push) {
          this.jobs.push = false;
          this.onNetwork(() => this.pushAll());
        } else return;
      } catch (e) {
        this.log(`assistant: ${errorMessage(e)}`);
      }
    }
  }

  /** Runs `job` in the network lane; what it and others scheduled meanwhile runs after it. */
  private onNetwork(job: () => Promise<void>): void {
    this.network = job()
      .catch((e: unknown) => this.log(`assistant: ${errorMessage(e)}`))
      .finally(() => {
        this.network = undefined;
        if (this.isStopped) this.settleIdle();
        else this.kick();
      });
  }

  private async merge(): Promise<void> {
    if ((await traced('merge', () => mergeRound(this.ctx))) > 0) {
      this.jobs.push = true;
      await this.runChangeHook('merge');
    } else if (await this.hasUnpushedChanges()) {
      // nothing merged, yet a remote pushed straight into our git-annex branch: pass it on
      this.jobs.push = true;
    }
  }

  private async commit(): Promise<void> {
    const max = this.options.maxBatch ?? 5000;
    const { ready, againInMs } = this.pending.take(Date.now(), {
      quietMs: this.quietMs,
      max,
      maxDelayMs: MAX_COMMIT_DELAY_MS,
    });
    if (ready.length === 0) {
      if (againInMs !== undefined) this.scheduleCommit(againInMs);
      return;
    }
    const ended = span('commit', `${ready.length} paths`);
    const { commit, annexed } = await withRepositoryLock(this.repo, () =>
      commitChanges(this.ctx, true, ready.includes('.') ? ['.'] : ready),
    ).catch((e: unknown) => {
      // nothing is lost: the paths are tried again, sooner the first times
      this.scheduleCommit(this.pending.failed(ready, Date.now()));
      throw e;
    });
    this.pending.succeeded();
    ended();
    // Small files' content starts moving now, beside the push; bigger ones follow the push
    this.glue?.committed(annexed);
    if (this.pending.size > 0) this.scheduleCommit(ready.length >= max ? 0 : this.quietMs);
    if (commit) await this.runChangeHook('commit');
    // a commit goes out at once; location logs alone wait for the logs' quiet moment
    if (commit) this.jobs.push = true;
    else if (await this.hasUnpushedChanges()) this.logsPush.touch();
  }

  private lastPushed = '';

  private async hasUnpushedChanges(): Promise<boolean> {
    return (await pushState(this.ctx)) !== this.lastPushed;
  }

  /** The remotes that carry history (only those named, when names are given). */
  private async availableRemotes(only?: readonly string[]): Promise<RemoteInfo[]> {
    return (await syncRemotes(this.repo, only)).filter((r) => carriesGit(r));
  }

  /** Watches every remote that can say when its refs move (see remote-notices.ts). */
  private async watchRemotes(): Promise<void> {
    await this.notices
      .refresh(await this.availableRemotes())
      .catch((e: unknown) => this.log(`watching remotes: ${errorMessage(e)}`));
  }

  /** Pulls from every reachable remote (or those named), merges, then pushes. */
  private async reconnect(only?: readonly string[]): Promise<void> {
    const remotes = await this.availableRemotes(only);
    await traced('pull', () => pullRound(this.ctx, remotes, (m) => this.log(m)), only?.join(','));
    this.jobs.push = true;
  }

  private async pushAll(only?: readonly string[]): Promise<void> {
    const remotes = await this.availableRemotes(only);
    const { results, state } = await traced(
      'push',
      () => pushRound(this.ctx, remotes),
      `${remotes.length} remotes`,
    );
    this.lastPushed = state;
    // A push that had to pull first merged new commits: the other remotes need them too.
    if (results.some((r) => r.pulled)) this.jobs.push = true;
    this.retry.record(results);
    await this.glue?.pushed();
  }

  private async runChangeHook(reason: 'commit' | 'merge'): Promise<void> {
    const failure = await runChangeHook(this.repo, reason);
    if (failure) this.ctx.emit({ type: 'change-hook-failed', reason: failure });
  }
}
