/**
 * The assistant's eyes on its repository: the work tree (changed paths), the refs (moved by
 * a push from elsewhere, a fetch, another git; not the ones this process moved itself), and
 * `.git/config` (remotes added or changed). When the folder itself disappears (a drive
 * unplugged, the folder moved away) every watch stops until its git directory is back, then
 * starts again and says so, so the assistant can rescan.
 */
import type { Repository } from '../annex/repository';
import { holdsOwnValue } from '../git/own-refs';
import { mark } from '../trace';
import { waitForRoot } from './root-watch';
import { watchGitConfig, type Subscription, type WatchEvent, type WatchFn } from './watcher';

export interface RepositoryWatchHooks {
  /** work-tree paths changed (absolute paths, as the watcher reports them) */
  changed(events: readonly WatchEvent[]): void;
  /** a ref moved that this process did not move */
  refsMoved(): void;
  /** `.git/config` changed */
  configChanged(): void;
  /** the folder disappeared; nothing is watched until it is back */
  gone(): void;
  /** the folder is back and watched again */
  back(): void;
}

export class RepositoryWatch {
  private subscriptions: Subscription[] = [];
  private configWatcher: { close(): void } | undefined;
  private stopRootWait: (() => void) | undefined;
  private isStopped = false;
  isGone = false;

  constructor(
    private readonly repo: Repository,
    private readonly watch: WatchFn,
    private readonly hooks: RepositoryWatchHooks,
  ) {}

  async start(): Promise<void> {
    const work = await this.watch(this.repo.top, (events) => this.onWorkTree(events), {
      ignore: ['.git', this.repo.gitdir],
    });
    const refs = await this.watch(`${this.repo.gitdir}/refs`, (events) => this.onRefs(events), {
      ignore: [],
    });
    this.subscriptions = [work, refs];
    // the git directory gone: onGone deals with that
    this.configWatcher ??= watchGitConfig(this.repo.gitdir, () => this.hooks.configChanged());
  }

  async stop(): Promise<void> {
    this.isStopped = true;
    this.stopRootWait?.();
    await this.unwatch();
  }

  private async unwatch(): Promise<void> {
    this.configWatcher?.close();
    this.configWatcher = undefined;
    const subscriptions = this.subscriptions.splice(0);
    await Promise.all(subscriptions.map((s) => s.unsubscribe().catch(() => undefined)));
  }

  private onWorkTree(events: readonly WatchEvent[]): void {
    mark('watch', `${events.length} events`);
    if (events.some((e) => e.path === this.repo.top && e.type === 'delete')) this.onGone();
    else this.hooks.changed(events);
  }

  private onRefs(events: readonly WatchEvent[]): void {
    const moved = events.filter((e) => !e.path.endsWith('.lock'));
    if (moved.length === 0) return;
    // this process's own commits (the git-annex branch after a log change) need no merge
    void Promise.all(moved.map((e) => holdsOwnValue(this.repo.gitdir, e.path))).then(
      (own) => {
        if (own.some((isOwn) => !isOwn)) this.hooks.refsMoved();
      },
      () => this.hooks.refsMoved(),
    );
  }

  private onGone(): void {
    if (this.isGone) return;
    this.isGone = true;
    void this.unwatch();
    this.hooks.gone();
    this.stopRootWait = waitForRoot(this.repo.gitdir, () => {
      this.stopRootWait = undefined;
      if (this.isStopped) return;
      this.isGone = false;
      void this.start().then(() => this.hooks.back());
    });
  }
}
