/**
 * The transferrer's core (see transferrer.ts for the whole): its records, the queue and what
 * feeds it (uploads along routes or by flooding, downloads, the scan), `pump()` and the running
 * of one attempt and what its result leads to, the recheck timer and idleness.
 */
import { PresenceBulk } from '../annex/presence-bulk';
import type { NetworkMap } from '../../shared/network';
import { AnnexBranch } from '../annex/branch';
import { findObject } from '../annex/object-store';
import type { Repository } from '../annex/repository';
import { annexedFiles } from '../annex/worktree';
import { attemptTransfer } from './attempt';
import { Wanted } from './wanted';
import { newRun, type Running } from './progress';
import { downloadItem, floodItems, planFor, routedItems, type PlannerContext } from './planner';
import { retryDelayMs, type Priority, type QueueItem } from './queue';
import { RateLimits } from './rate-limit';
import { errorMessage } from '../../shared/errors';
import { Endpoints, linkOf } from './endpoints';
import { TransferLedger, type ParkState } from './ledger';
import { TransferObserver } from './observe';
import { BoundedMap, Waiters } from './waiters';
import { RouteMap } from './route-map';
import { readTransferSettings, type TransferrerOptions } from './settings';

export abstract class TransferCore {
  protected readonly ledger = new TransferLedger();
  protected readonly branch: AnnexBranch;
  private readonly wanted: Wanted;
  protected readonly planning: PlannerContext;
  protected readonly ends: Endpoints;
  protected readonly limits = new RateLimits();
  private slots = 1;
  protected recheckTimer: NodeJS.Timeout | undefined;
  protected isStopped = false;
  protected readonly waiters = new Waiters();
  /** wanted keys no remote held when they were asked for (key -> file), bounded */
  private readonly awaitingSource = new BoundedMap<string, string>(100_000);
  protected readonly observer: TransferObserver;
  private routing: 'route' | 'flood' = 'route';
  private afterHooks = 0;
  /** how many times location logs changed (downloads planned on older logs look again) */
  private locationsSeen = 0;
  private readonly routes: RouteMap;
  /**
   * The location logs of finished transfers, written in batches (200, or 150 ms after the
   * first, at most one a second by the clock): a burst of 1,000 small files took the journal
   * lock 3,000 times on each side, and those holds, one after the other, were what the burst
   * waited for.
   */
  protected readonly presence = new PresenceBulk(200, {
    afterMs: 150,
    minGapMs: 1000,
    background: true,
    onError: (e) =>
      this.options.log?.(`location logs of finished transfers could not be written: ${String(e)}`),
    onWritten: () => this.options.onLogsChanged?.(),
  });

  constructor(
    protected readonly repo: Repository,
    protected readonly options: TransferrerOptions = {},
  ) {
    this.branch = new AnnexBranch(repo);
    this.wanted = new Wanted(repo, this.branch, options.log);
    this.ends = new Endpoints(repo, this.branch);
    this.routes = new RouteMap(repo, options.network, options.log);
    this.observer = new TransferObserver(repo, this.ledger, this.ends, options.events);
    this.planning = {
      repo,
      branch: this.branch,
      wanted: this.wanted,
      remotes: () => this.ends.remotes,
      map: () => this.routes.current,
      isAvailable: (name) => this.ends.isAvailable(name),
      pending: (key) => this.presence.pendingFor(this.branch, key),
    };
  }

  /** The remotes (name and UUID) the full scan covered, and those scanned on their own since. */
  protected scanned: Set<string> | undefined;

  /** Reads remotes and settings; call before queueing. */
  async refresh(): Promise<void> {
    const remotes = await this.ends.refresh();
    const settings = await readTransferSettings(
      this.repo,
      remotes.map((r) => r.name),
      this.options,
    );
    this.slots = settings.slots;
    if (settings.rateLimit !== undefined) this.limits.set(settings.rateLimit);
    for (const [name, limit] of settings.remoteRateLimits) this.limits.set(limit, name);
    this.routing = settings.routing;
    this.wanted.reset();
    await this.refreshMap();
  }

  /** Rebuilds the network map routes are planned on (see route-map.ts). */
  refreshMap(): Promise<NetworkMap | undefined> {
    return this.routes.refresh(this.routing === 'route');
  }

  /** The network map routes are planned on (undefined when flooding). */
  networkMap(): NetworkMap | undefined {
    return this.routes.current;
  }

  /** Content this transferrer moved: transfers, bytes, and bytes times each link's cost. */
  movedTotals(): { transfers: number; bytes: number; costBytes: number } {
    return this.ledger.movedTotals();
  }

  protected readonly isUp = (item: QueueItem): boolean => this.ends.itemAvailable(item);

  protected enqueue(item: QueueItem, priority: Priority): boolean {
    const added = this.ledger.enqueue(item, priority);
    if (added) this.observer.changed(item.id);
    return added;
  }

  /**
   * Sends a present key on: when routing, the hops of its planned route whose sender has the
   * content now (hops further on are queued as each one completes; see planner.ts), else
   * flooding to every remote that lacks and wants it, cheapest first.
   */
  async queueUploads(key: string, file: string, priority: Priority = 'next'): Promise<number> {
    if (this.ends.remotes.size === 0) return 0;
    const isRouted = this.routing === 'route' && this.routes.current !== undefined;
    const items = await (isRouted ? routedItems : floodItems)(this.planning, key, file);
    return this.requeue(items, priority);
  }

  /** The route this key's content takes from wherever it is now to every repository that wants it. */
  planFor(key: string, file: string): ReturnType<typeof planFor> {
    return planFor(this.planning, key, file);
  }

  /** Queues a download of a missing, wanted key from the cheapest remote that has it. */
  async queueDownload(
    key: string,
    file: string,
    priority: Priority = 'next',
    except: readonly string[] = [],
  ): Promise<boolean> {
    let item: Awaited<ReturnType<typeof downloadItem>>;
    // location logs that arrive while this looks are looked at too: a key found sourceless on
    // logs older than the latest change is looked for again, so no download waits for nothing
    for (let tries = 0; ; tries++) {
      const seen = this.locationsSeen;
      item = await downloadItem(this.planning, key, file, except);
      if (item !== 'no-source' || seen === this.locationsSeen || tries >= 4) break;
    }
    if (item === 'no-source') this.awaitingSource.set(key, file);
    else this.awaitingSource.delete(key);
    const added = typeof item === 'object' ? this.enqueue(item, priority) : false;
    this.pump();
    return added;
  }

  /**
   * Location logs changed (a git-annex branch merged in): files that were wanted but that no
   * remote held are looked at again, so content reaching a host is fetched from it at once.
   */
  async locationsChanged(): Promise<void> {
    this.locationsSeen++;
    const waiting = [...this.awaitingSource];
    this.awaitingSource.clear();
    for (const [key, file] of waiting) await this.queueDownload(key, file, 'next');
  }

  /** Queues whatever a file needs: an upload if its content is here, a download if it is missing. */
  async queueFor(key: string, file: string, priority: Priority): Promise<void> {
    if (await findObject(this.repo, key)) await this.queueUploads(key, file, priority);
    else await this.queueDownload(key, file, priority);
  }

  /** The full scan: every annexed file, both ways, as "later" items, keeping the queue small. */
  async scan(signal?: AbortSignal): Promise<void> {
    await this.refresh();
    this.scanned = new Set([...this.ends.remotes.values()].map(remoteTag));
    // No remote: nothing can move either way (every route starts at one of them).
    if (this.ends.remotes.size === 0) return;
    const max = this.options.maxQueued ?? 1000;
    for (const f of await annexedFiles(this.repo)) {
      signal?.throwIfAborted();
      if (this.isStopped) return;
      while (this.ledger.queue.size >= max && !this.isStopped) await this.waiters.forRoom();
      await this.queueFor(f.key, f.path, 'later');
    }
  }

  pump(): void {
    if (this.isStopped || this.ledger.isPaused) {
      this.settleIdle();
      return;
    }
    // Forwards waiting on a link that went down are planned again around it.
    const stranded = this.ledger.queue.hasForwards
      ? this.ledger.queue.removeWhere((i) => i.via !== undefined && !this.isUp(i))
      : [];
    if (stranded.length > 0)
      this.runAfter(async () => {
        await this.refreshMap();
        for (const i of stranded) await this.queueUploads(i.key, i.file, 'next');
      });
    for (;;) {
      const item = this.ledger.queue.take(this.startable());
      if (!item) break;
      this.start(item);
    }
    this.waiters.wakeRoom();
    this.scheduleRecheck();
    this.settleIdle();
  }

  /** Runs follow-up work (re-planning) that idleness waits for, then pumps. */
  private runAfter(work: () => Promise<unknown>): void {
    this.afterHooks++;
    void work()
      .catch((e: unknown) => this.options.log?.(errorMessage(e)))
      .finally(() => {
        this.afterHooks--;
        this.pump();
      });
  }

  /**
   * canStart, for one look over the queue: items on one link, direction and slot count share a
   * verdict (until one of them starts), so a long queue behind a busy link costs one pass.
   */
  private startable(): (item: QueueItem) => boolean {
    const verdicts = new Map<string, boolean>();
    if (this.groups.slots !== this.slots || this.groups.remotes !== this.ends.remotes)
      this.groups = { slots: this.slots, remotes: this.ends.remotes, of: new WeakMap() };
    const groups = this.groups.of;
    return (i) => {
      // each item's group is worked out once (a pump behind a busy link looks at every item)
      let at = groups.get(i);
      if (at === undefined) {
        at = `${linkOf(i)}\n${i.direction}\n${this.ends.slotsFor(i, this.slots)}`;
        groups.set(i, at);
      }
      let verdict = verdicts.get(at);
      if (verdict === undefined) verdicts.set(at, (verdict = this.canStart(i)));
      return verdict;
    };
  }

  /** each queued item's group for `startable`, while the slot count and the remotes stay */
  private groups: {
    slots: number;
    remotes: unknown;
    of: WeakMap<QueueItem, string>;
  } = { slots: 0, remotes: undefined, of: new WeakMap() };

  private canStart(item: QueueItem): boolean {
    if (this.ledger.pausedRemotes.has(item.remote) || !this.isUp(item)) return false;
    const link = linkOf(item);
    const busy = this.ledger.busySlots((i) => linkOf(i) === link && i.direction === item.direction);
    return busy < this.ends.slotsFor(item, this.slots);
  }

  private start(item: QueueItem): void {
    const run = newRun(item);
    this.ledger.running.set(item.id, run);
    this.observer.changed(item.id);
    this.observer.startProgress();
    void this.execute(run)
      .catch((e: unknown) => this.options.log?.(errorMessage(e)))
      .finally(() => {
        this.ledger.running.delete(item.id);
        this.observer.changed(item.id);
        if (run.after) this.runAfter(run.after);
        else this.pump();
      });
  }

  private park(
    item: QueueItem,
    state: ParkState,
    reason: string,
    retryAt: number | null,
    bytesDone = 0,
  ): void {
    this.ledger.park(item, state, reason, retryAt, bytesDone);
    this.scheduleRecheck();
  }

  private async execute(run: Running): Promise<void> {
    const { item } = run;
    const result = await attemptTransfer(run, {
      ends: this.ends,
      branch: this.branch,
      limits: this.limits,
      routing: this.routing,
      annexdir: this.repo.annexdir,
      presence: this.presence,
      later: (work) => this.runAfter(() => work),
    });
    switch (result.kind) {
      case 'gone':
        return;
      case 'held':
        this.park(item, 'waiting', result.reason, Date.now() + 2000, run.bytesDone);
        return;
      case 'park':
        this.park(item, result.state, result.reason, null, run.bytesDone);
        return;
      case 'done':
        if (result.moved) this.ledger.countMoved(result.copied, result.cost);
        this.ledger.finish(run, 'done');
        if (result.logsChanged) this.options.onLogsChanged?.();
        if (result.then === 'route') await this.queueUploads(item.key, item.file, 'next');
        if (result.then === 'flood') await this.queueUploads(item.key, item.file, 'later');
        return;
      case 'cancelled':
        this.ledger.finish(run, 'cancelled');
        if (!result.reroute) return;
        this.options.log?.(
          `${item.file}: the link from ${item.via?.description ?? 'here'} to ${item.remote} went down; routing around it`,
        );
        run.after = async () => {
          await this.refreshMap();
          await this.queueUploads(item.key, item.file, 'next');
        };
        return;
      case 'failed':
        if (result.tryOtherSource) {
          this.options.log?.(
            `${item.file}: the copy on ${item.remote} is corrupt; trying another source`,
          );
          if (await this.queueDownload(item.key, item.file, 'next', [item.remote])) return;
        }
        this.park(
          item,
          'failed',
          result.reason,
          Date.now() + retryDelayMs(this.ledger.failedAttempt(item.id)),
        );
    }
  }

  /** Queues items (new, or taken out of the parked set), then pumps; returns how many were queued. */
  protected requeue(items: readonly QueueItem[], priority: Priority): number {
    let n = 0;
    for (const item of items) if (this.enqueue(item, priority)) n++;
    this.pump();
    return n;
  }

  protected scheduleRecheck(): void {
    if (this.recheckTimer || this.isStopped) return;
    // one look per link: a burst's queue is hundreds of items on one remote, and this runs
    // after each transfer (each look at a local remote is a stat of its folder)
    const up = new Map<string, boolean>();
    const isUpNow = (i: QueueItem): boolean => {
      let v = up.get(linkOf(i));
      if (v === undefined) up.set(linkOf(i), (v = this.isUp(i)));
      return v;
    };
    const hasWaiting =
      this.ledger.parked.size > 0 || this.ledger.queue.items(100).some((i) => !isUpNow(i));
    if (!hasWaiting) return;
    this.recheckTimer = setTimeout(() => {
      this.recheckTimer = undefined;
      void this.recheck();
    }, 2000);
  }

  /** Re-queues parked transfers whose retry time came or whose remote is back. */
  async recheck(): Promise<void> {
    await this.refresh().catch(() => undefined);
    const now = Date.now();
    const due = this.ledger.unpark(
      (p) =>
        p.state !== 'paused' &&
        ((p.retryAt !== null && now >= p.retryAt) ||
          (p.state === 'waiting' && p.retryAt === null && this.isUp(p.item))),
    );
    this.requeue(due, 'later');
  }

  /**
   * Resolves when nothing runs and nothing queued can start, and what finished is in the
   * location logs (for tests and the CLI).
   */
  async whenIdle(): Promise<void> {
    await this.waiters.whenIdle(this.isIdle());
    await this.presence.flush();
  }

  private isIdle(): boolean {
    return (
      this.ledger.running.size === 0 &&
      this.afterHooks === 0 &&
      (this.ledger.isPaused || !this.ledger.queue.items().some(this.startable()))
    );
  }

  private settleIdle(): void {
    this.waiters.settle(
      () => this.isIdle(),
      (remote) => this.isRemoteBusy(remote),
    );
  }

  /** Whether anything is queued, running or briefly held up between here and `remote`. */
  isRemoteBusy(remote: string): boolean {
    if (this.isStopped) return false;
    return this.ledger.isRemoteBusy(remote, this.ends.isAvailable(remote));
  }
}

/** A remote as the scans know it: a remote whose UUID is learnt later is a new one. */
export function remoteTag(r: { readonly name: string; readonly uuid?: string }): string {
  return `${r.name} ${r.uuid ?? ''}`;
}
