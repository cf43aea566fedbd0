/**
 * The transferrer: moves file content between this repository and its local-path remotes.
 *
 * Loops and shared state (all in this object, driven by `pump()`):
 *   - `queue`: waiting transfers, "next" before "later"; never the same transfer twice.
 *   - `running`: one entry per transfer in progress, with its AbortController; at most
 *     `slots` per remote and direction, so a fast drive never waits behind a slow link.
 *   - `failed`: transfers to retry after a backoff (10 s doubling to 30 min); `waiting`:
 *     transfers held by another process or for a remote that is offline.
 *   - a progress timer (4 a second, only while something runs) and a recheck timer (every
 *     2 s, only while something waits) that re-queues what can go now.
 * Every transfer takes git-annex's transfer locks on both sides (our `upload/<remote>` or
 * `download/<remote>`, and the matching `download/<us>` or `upload/<us>` in the remote), so
 * neither git-annex nor another Ferry duplicates it; content is verified before it counts and
 * location logs change on both sides only after the bytes are safe.
 */
import { existsSync } from 'node:fs';
import type { NetworkEvent, NetworkMap } from '../../shared/network';
import { buildNetworkMap } from '../network/network-map';
import { openRepository } from '../annex/repository';
import { AnnexBranch } from '../annex/branch';
import { keySize } from '../annex/key';
import { findObject } from '../annex/object-store';
import type { Repository } from '../annex/repository';
import { annexedFiles } from '../annex/worktree';
import { isFerryError } from '../errors';
import { getConfig } from '../git/read';
import { listGitRemotes, type RemoteInfo } from '../remotes/git-remotes';
import { LocalRepoRemote } from '../remotes/local-repo';
import { availabilityOf, isPathUp } from '../remotes/registry';
import { runTransfer, type TransferOutcome } from './runner';
import { Wanted } from './wanted';
import { remoteScanItems } from './scanner';
import {
  baseSnapshot,
  cancelledRecord,
  finishedSnapshot,
  parkedSnapshot,
  runningSnapshot,
  sampleProgress,
  type Finished,
  type Parked,
  type Running,
} from './progress';
import { downloadItem, floodItems, planFor, routedItems, type PlannerContext } from './planner';
import type { TransferControlState, TransferEvent, TransferSnapshot } from '../../shared/transfers';
import { retryDelayMs, transferId, TransferQueue, type Priority, type QueueItem } from './queue';
import { RateLimits } from './rate-limit';
import { externalSnapshot, listRunningTransfers } from '../annex/transfer-info';
import { errorMessage } from '../../shared/errors';

export interface TransferrerOptions {
  readonly events?: (e: TransferEvent) => void;
  readonly log?: (message: string) => void;
  /** transfers at once per remote and direction (default `ferry.transferslots`, else 1) */
  readonly slots?: number;
  /** how many queued transfers a scan keeps in memory at most */
  readonly maxQueued?: number;
  /** called after a transfer changed location logs (so the assistant can push git-annex) */
  readonly onLogsChanged?: () => void;
  /** 'route' (default, or `ferry.routing`): along the least-cost routes of the network map, forwarding through other local repositories; 'flood': to every direct remote */
  readonly routing?: 'route' | 'flood';
  /** the network map, when it is built and whenever it changes */
  readonly network?: (e: NetworkEvent) => void;
}

export class Transferrer {
  private readonly queue = new TransferQueue();
  private readonly running = new Map<string, Running>();
  private readonly parked = new Map<string, Parked>();
  private readonly finished: Finished[] = [];
  private readonly attempts = new Map<string, number>();
  private readonly branch: AnnexBranch;
  private readonly wanted: Wanted;
  private readonly planning: PlannerContext;
  private remotes = new Map<string, RemoteInfo>();
  private readonly opened = new Map<string, LocalRepoRemote>();
  private readonly pausedRemotes = new Set<string>();
  private isPaused = false;
  private readonly limits = new RateLimits();
  private slots = 1;
  private progressTimer: NodeJS.Timeout | undefined;
  private recheckTimer: NodeJS.Timeout | undefined;
  private isStopped = false;
  private readonly idleWaiters: (() => void)[] = [];
  private readonly roomWaiters: (() => void)[] = [];
  private routing: 'route' | 'flood' = 'route';
  private afterHooks = 0;
  private map: NetworkMap | undefined;
  private mapJson = '';
  private readonly senders = new Map<string, { repo: Repository; branch: AnnexBranch }>();
  /** content moved by this transferrer: bytes, and bytes weighted by each link's cost */
  private readonly moved = { transfers: 0, bytes: 0, costBytes: 0 };

  constructor(
    private readonly repo: Repository,
    private readonly options: TransferrerOptions = {},
  ) {
    this.branch = new AnnexBranch(repo);
    this.wanted = new Wanted(repo, this.branch, options.log);
    this.planning = {
      repo,
      branch: this.branch,
      wanted: this.wanted,
      remotes: () => this.remotes,
      map: () => this.map,
      isAvailable: (name) => this.isAvailable(name),
    };
  }

  /** Reads remotes and settings; call before queueing. */
  async refresh(): Promise<void> {
    const slots = Number(await getConfig(this.repo.git, 'ferry.transferslots'));
    this.slots = this.options.slots ?? (Number.isInteger(slots) && slots > 0 ? slots : 1);
    const limit = Number(await getConfig(this.repo.git, 'ferry.ratelimit'));
    if (Number.isFinite(limit) && limit >= 0) this.limits.set(limit);
    const infos = (await listGitRemotes(this.repo)).filter(
      (r) => r.path !== undefined && !r.isIgnored,
    );
    this.remotes = new Map(infos.map((r) => [r.name, r]));
    for (const r of infos) {
      const perRemote = Number(await getConfig(this.repo.git, `remote.${r.name}.ferry-ratelimit`));
      if (Number.isFinite(perRemote) && perRemote > 0) this.limits.set(perRemote, r.name);
      if (r.isAvailable && !r.uuid) await this.open(r).catch(() => undefined);
    }
    this.remotes = new Map(
      (await listGitRemotes(this.repo))
        .filter((r) => r.path !== undefined && !r.isIgnored)
        .map((r) => [r.name, r]),
    );
    this.wanted.reset();
    const routing = this.options.routing ?? (await getConfig(this.repo.git, 'ferry.routing'));
    this.routing = routing === 'flood' ? 'flood' : 'route';
    await this.refreshMap();
  }

  /**
   * Rebuilds the network map (remote configs of every local repository on it, which links are
   * up) and re-plans routes from it. Called on refresh, after pushes, on mounts and when a link
   * on a route goes down; never on a timer.
   */
  async refreshMap(): Promise<NetworkMap | undefined> {
    if (this.routing !== 'route') {
      this.map = undefined;
      return undefined;
    }
    try {
      const map = await buildNetworkMap(this.repo);
      const json = JSON.stringify(map);
      this.map = map;
      if (json !== this.mapJson) {
        this.mapJson = json;
        this.options.network?.({ type: 'map-changed', map, at: Date.now() });
      }
    } catch (e) {
      this.options.log?.(`network map: ${errorMessage(e)}; flooding until it can be read`);
      this.map = undefined;
    }
    return this.map;
  }

  /** The network map routes are planned on (undefined when flooding). */
  networkMap(): NetworkMap | undefined {
    return this.map;
  }

  /** Content this transferrer moved: transfers, bytes, and bytes times each link's cost. */
  movedTotals(): { transfers: number; bytes: number; costBytes: number } {
    return { ...this.moved };
  }

  private async open(
    info: RemoteInfo,
    base: Repository = this.repo,
    cacheKey = info.name,
  ): Promise<LocalRepoRemote> {
    const known = this.opened.get(cacheKey);
    if (known && known.info.path === info.path && known.availability().state === 'up') return known;
    const o = await LocalRepoRemote.open(base, info);
    this.opened.set(cacheKey, o);
    return o;
  }

  /** The two ends of a transfer: the sending side's repository ("ours") and the remote. */
  private async ends(
    item: QueueItem,
  ): Promise<{ ours: Repository; ourBranch: AnnexBranch; remote: LocalRepoRemote } | undefined> {
    if (!item.via) {
      const info = this.remotes.get(item.remote);
      if (!info) return undefined;
      return { ours: this.repo, ourBranch: this.branch, remote: await this.open(info) };
    }
    let sender = this.senders.get(item.via.top);
    if (!sender || !existsSync(sender.repo.gitdir)) {
      // another repository on this machine, forwarding: its annex is untrusted like a remote's
      const repo = { ...(await openRepository(item.via.top)), untrusted: true };
      sender = { repo, branch: new AnnexBranch(repo) };
      this.senders.set(item.via.top, sender);
    }
    const info = (await listGitRemotes(sender.repo)).find((r) => r.name === item.remote);
    if (!info) return undefined;
    return {
      ours: sender.repo,
      ourBranch: sender.branch,
      remote: await this.open(info, sender.repo, `${item.via.uuid}/${item.remote}`),
    };
  }

  private isAvailable(remote: string): boolean {
    const info = this.remotes.get(remote);
    return info !== undefined && availabilityOf(info).state === 'up';
  }

  private itemAvailable(item: QueueItem): boolean {
    return item.via
      ? isPathUp(item.via.top) && isPathUp(item.via.targetPath)
      : this.isAvailable(item.remote);
  }

  /** Slots are per link: this repository's remote, or a forwarding repository's remote. */
  private static linkOf(item: QueueItem): string {
    return item.via ? `${item.via.uuid}/${item.remote}` : item.remote;
  }

  // ---------------------------------------------------------------- queueing

  private enqueue(item: QueueItem, priority: Priority): boolean {
    if (this.running.has(item.id) || this.parked.has(item.id)) return false;
    const added = this.queue.add(item, priority);
    if (added) this.emitChanged(item.id);
    return added;
  }

  /**
   * Sends a present key on: along the planned route when routing (see `queueRouted`), else
   * flooding to every remote that lacks and wants it, cheapest first.
   */
  async queueUploads(key: string, file: string, priority: Priority = 'next'): Promise<number> {
    if (this.routing === 'route' && this.map) return this.queueRouted(key, file, priority);
    return this.queueFlood(key, file, priority);
  }

  /** Flood: queue uploads of a present key to every remote that lacks it and wants it, cheapest first. */
  async queueFlood(key: string, file: string, priority: Priority = 'next'): Promise<number> {
    return this.enqueueAll(await floodItems(this.planning, key, file), priority);
  }

  /** The route this key's content takes from wherever it is now to every repository that wants it. */
  planFor(key: string, file: string): ReturnType<typeof planFor> {
    return planFor(this.planning, key, file);
  }

  /**
   * Routing: queue the hops of this key's planned route whose sender has the content now (see
   * planner.ts); hops further on are queued as each one completes.
   */
  async queueRouted(key: string, file: string, priority: Priority = 'next'): Promise<number> {
    if (this.remotes.size === 0) return 0;
    if (!this.map) return this.queueFlood(key, file, priority);
    return this.enqueueAll(await routedItems(this.planning, key, file), priority);
  }

  private enqueueAll(items: readonly QueueItem[], priority: Priority): number {
    let n = 0;
    for (const item of items) if (this.enqueue(item, priority)) n++;
    this.pump();
    return n;
  }

  /** Queues a download of a missing, wanted key from the cheapest remote that has it. */
  async queueDownload(
    key: string,
    file: string,
    priority: Priority = 'next',
    except: readonly string[] = [],
  ): Promise<boolean> {
    const item = await downloadItem(this.planning, key, file, except);
    const added = item ? this.enqueue(item, priority) : false;
    this.pump();
    return added;
  }

  /** Queues whatever a file needs: an upload if its content is here, a download if it is missing. */
  async queueFor(key: string, file: string, priority: Priority): Promise<void> {
    if (await findObject(this.repo, key)) await this.queueUploads(key, file, priority);
    else await this.queueDownload(key, file, priority);
  }

  /** The full scan: every annexed file, both ways, as "later" items, keeping the queue small. */
  async scan(signal?: AbortSignal): Promise<void> {
    await this.refresh();
    // No remote: nothing can move either way (every route starts at one of them).
    if (this.remotes.size === 0) return;
    const max = this.options.maxQueued ?? 1000;
    for (const f of await annexedFiles(this.repo)) {
      signal?.throwIfAborted();
      if (this.isStopped) return;
      while (this.queue.size >= max && !this.isStopped)
        await new Promise<void>((r) => this.roomWaiters.push(r));
      await this.queueFor(f.key, f.path, 'later');
    }
  }

  // ---------------------------------------------------------------- running

  pump(): void {
    if (this.isStopped || this.isPaused) {
      this.settleIdle();
      return;
    }
    // Forwards waiting on a link that went down are planned again around it.
    const stranded = this.queue.removeWhere((i) => i.via !== undefined && !this.itemAvailable(i));
    if (stranded.length > 0) {
      this.afterHooks++;
      void (async () => {
        await this.refreshMap();
        for (const i of stranded) await this.queueRouted(i.key, i.file, 'next');
      })()
        .catch((e: unknown) => this.options.log?.(errorMessage(e)))
        .finally(() => {
          this.afterHooks--;
          this.pump();
        });
    }
    for (;;) {
      const item = this.queue.take((i) => this.canStart(i));
      if (!item) break;
      this.start(item);
    }
    for (const w of this.roomWaiters.splice(0)) w();
    this.scheduleRecheck();
    this.settleIdle();
  }

  private canStart(item: QueueItem): boolean {
    if (this.pausedRemotes.has(item.remote) || !this.itemAvailable(item)) return false;
    const link = Transferrer.linkOf(item);
    let busy = 0;
    for (const r of this.running.values())
      if (Transferrer.linkOf(r.item) === link && r.item.direction === item.direction) busy++;
    return busy < this.slots;
  }

  private start(item: QueueItem): void {
    const run: Running = {
      item,
      abort: new AbortController(),
      startedAt: Date.now(),
      bytesDone: 0,
      size: keySize(item.key),
      rate: 0,
      lastSample: { at: Date.now(), bytes: 0 },
    };
    this.running.set(item.id, run);
    this.emitChanged(item.id);
    this.startProgressTimer();
    void this.execute(run)
      .catch((e: unknown) => this.onFailure(run, e))
      .catch((e: unknown) => this.options.log?.(errorMessage(e)))
      .finally(() => {
        this.running.delete(item.id);
        this.emitChanged(item.id);
        const after = run.after;
        if (after) {
          this.afterHooks++;
          void after()
            .catch((e: unknown) => this.options.log?.(errorMessage(e)))
            .finally(() => {
              this.afterHooks--;
              this.pump();
            });
        } else this.pump();
      });
  }

  private park(
    item: QueueItem,
    state: Parked['state'],
    reason: string,
    retryAt: number | null,
  ): void {
    this.parked.set(item.id, {
      item,
      state,
      reason,
      attempts: this.attempts.get(item.id) ?? 0,
      retryAt,
    });
    this.scheduleRecheck();
  }

  private finish(run: Running, state: Finished['state']): void {
    this.finished.push({
      item: run.item,
      state,
      bytes: run.bytesDone,
      resumedFrom: run.resumedFrom ?? 0,
      startedAt: run.startedAt,
      finishedAt: Date.now(),
      attempts: (this.attempts.get(run.item.id) ?? 0) + 1,
    });
    if (this.finished.length > 200) this.finished.splice(0, this.finished.length - 200);
    this.attempts.delete(run.item.id);
  }

  private async execute(run: Running): Promise<void> {
    const { item } = run;
    let ends: Awaited<ReturnType<Transferrer['ends']>>;
    try {
      ends = await this.ends(item);
    } catch (e) {
      if (item.via) await this.onFailure(run, e);
      else this.park(item, 'waiting', errorMessage(e), Date.now() + 2000);
      return;
    }
    if (!ends) return;
    const { ours, ourBranch, remote } = ends;
    const kf = item.key;
    let outcome: TransferOutcome;
    try {
      outcome = await runTransfer({
        ours,
        ourBranch: item.via ? ourBranch : this.branch,
        remote,
        direction: item.direction,
        key: kf,
        file: item.file,
        signal: run.abort.signal,
        throttle: this.limits.throttle(item.remote, run.abort.signal),
        onProgress: (n) => {
          run.resumedFrom ??= n;
          run.bytesDone = n;
        },
        alsoRecordIn: item.via ? [this.branch] : [],
        commitOurs: item.via !== undefined,
        isFailure: () => run.stopReason === undefined,
      });
    } catch (e) {
      await this.onFailure(run, e);
      return;
    }
    if (outcome.kind === 'waiting') {
      await this.waitOrReroute(run, outcome.reason);
      return;
    }
    if (outcome.kind === 'done') {
      this.moved.transfers++;
      const copied = run.bytesDone - (run.resumedFrom ?? 0);
      this.moved.bytes += copied;
      this.moved.costBytes += copied * remote.cost;
    }
    if (item.direction === 'upload') {
      if (outcome.kind === 'already-there') this.options.onLogsChanged?.();
      // Routing: the next hops of the route leave from the repository that just received it.
      if (this.routing === 'route') await this.queueRouted(kf, item.file, 'next');
    } else if (outcome.kind === 'done') {
      // Flood onwards: the other remotes that want it get it from here.
      await this.queueUploads(kf, item.file, 'later');
    }
    this.finish(run, 'done');
    if (outcome.kind === 'done') this.options.onLogsChanged?.();
  }

  /** Held up by someone else: wait and retry, unless the link is down, then route around it. */
  private async waitOrReroute(run: Running, reason: string): Promise<void> {
    if (run.item.via && !this.itemAvailable(run.item)) await this.onFailure(run, new Error(reason));
    else this.park(run.item, 'waiting', reason, Date.now() + 2000);
  }

  private async onFailure(run: Running, e: unknown): Promise<void> {
    const { item } = run;
    if (run.stopReason === 'paused') {
      this.park(item, 'paused', 'paused', null);
      return;
    }
    if (run.stopReason === 'offline') {
      this.park(
        item,
        'waiting',
        `${item.remote} was removed; the partial copy is kept and the transfer resumes when it is back`,
        null,
      );
      return;
    }
    if (run.stopReason === 'cancelled') {
      this.finish(run, 'cancelled');
      return;
    }
    const reason = errorMessage(e);
    if (item.via && !this.itemAvailable(item)) {
      // A link on the route went down: plan again around it.
      this.options.log?.(
        `${item.file}: the link from ${item.via.description} to ${item.remote} went down; routing around it`,
      );
      this.finish(run, 'cancelled');
      run.after = async () => {
        await this.refreshMap();
        await this.queueRouted(item.key, item.file, 'next');
      };
      return;
    }
    if (!item.via && !this.isAvailable(item.remote)) {
      this.park(
        item,
        'waiting',
        `${item.remote} is offline (${this.remotes.get(item.remote)?.path ?? ''} is not there); the partial copy is kept`,
        null,
      );
      return;
    }
    if (item.direction === 'download' && isFerryError(e, 'checksum-mismatch')) {
      this.options.log?.(
        `${item.file}: the copy on ${item.remote} is corrupt; trying another source`,
      );
      const requeued = await this.queueDownload(item.key, item.file, 'next', [item.remote]);
      if (requeued) return;
    }
    const attempts = (this.attempts.get(item.id) ?? 0) + 1;
    this.attempts.set(item.id, attempts);
    this.park(item, 'failed', reason, Date.now() + retryDelayMs(attempts));
  }

  // ---------------------------------------------------------------- control

  pause(remote?: string): void {
    if (remote) this.pausedRemotes.add(remote);
    else this.isPaused = true;
    for (const r of this.running.values()) {
      if (!remote || r.item.remote === remote) {
        r.stopReason = 'paused';
        r.abort.abort();
      }
    }
    this.emitControl();
  }

  resume(remote?: string): void {
    if (remote) this.pausedRemotes.delete(remote);
    else {
      this.isPaused = false;
      this.pausedRemotes.clear();
    }
    for (const [id, p] of this.parked) {
      if (p.state === 'paused' && (!remote || p.item.remote === remote)) {
        this.parked.delete(id);
        this.enqueue(p.item, 'next');
      }
    }
    this.emitControl();
    this.pump();
  }

  /** Pauses or resumes one transfer. */
  pauseTransfer(id: string): boolean {
    const r = this.running.get(id);
    if (r) {
      r.stopReason = 'paused';
      r.abort.abort();
      return true;
    }
    const q = this.queue.remove(id);
    if (q) {
      this.park(q, 'paused', 'paused', null);
      this.emitChanged(id);
      return true;
    }
    return false;
  }

  resumeTransfer(id: string): boolean {
    const p = this.parked.get(id);
    if (!p) return false;
    this.parked.delete(id);
    this.enqueue(p.item, 'next');
    this.pump();
    return true;
  }

  /** Cancels matching transfers: an id, a key, or every transfer of a remote. */
  cancel(target: string): number {
    let n = 0;
    const matches = (i: QueueItem): boolean =>
      i.id === target || i.key === target || i.remote === target;
    for (const r of this.running.values()) {
      if (matches(r.item)) {
        r.stopReason = 'cancelled';
        r.abort.abort();
        n++;
      }
    }
    for (const item of this.queue.removeWhere(matches)) {
      this.finished.push(cancelledRecord(item, 0));
      this.emitChanged(item.id);
      n++;
    }
    for (const [id, p] of this.parked) {
      if (matches(p.item)) {
        this.parked.delete(id);
        this.finished.push(cancelledRecord(p.item, p.attempts));
        this.emitChanged(id);
        n++;
      }
    }
    this.pump();
    return n;
  }

  setRateLimit(bytesPerSecond: number, remote?: string): void {
    this.limits.set(bytesPerSecond, remote);
    this.emitControl();
  }

  controlState(): TransferControlState {
    return {
      isPaused: this.isPaused,
      pausedRemotes: [...this.pausedRemotes],
      rateLimit: this.limits.overall,
      remoteRateLimits: this.limits.perRemote(),
    };
  }

  // ---------------------------------------------------------------- observing

  private snapshotOf(id: string): TransferSnapshot | undefined {
    const attempts = (item: QueueItem): number => this.attempts.get(item.id) ?? 0;
    const r = this.running.get(id);
    if (r) return runningSnapshot(r, attempts(r.item));
    const p = this.parked.get(id);
    if (p) return parkedSnapshot(p);
    const q = this.queue.has(id) ? this.queue.items().find((i) => i.id === id) : undefined;
    if (q) {
      const offline = !this.itemAvailable(q);
      const paused = this.isPaused || this.pausedRemotes.has(q.remote);
      if (offline)
        return { ...baseSnapshot(q, 'waiting', attempts(q)), reason: `${q.remote} is offline` };
      if (paused) return { ...baseSnapshot(q, 'paused', attempts(q)), reason: 'paused' };
      return baseSnapshot(q, 'queued', attempts(q));
    }
    for (let i = this.finished.length - 1; i >= 0; i--) {
      const f = this.finished[i];
      if (f?.item.id === id) return finishedSnapshot(f);
    }
    return undefined;
  }

  /** Everything: running, queued (up to `limit`), waiting, paused, failed, recently done, and transfers of other processes. */
  snapshot(limit = 1000): TransferSnapshot[] {
    const ids = [
      ...this.running.keys(),
      ...this.parked.keys(),
      ...this.queue.items(limit).map((i) => i.id),
      ...this.finished.map((f) => f.item.id).reverse(),
    ];
    const out: TransferSnapshot[] = [];
    const seen = new Set<string>();
    for (const id of ids) {
      if (seen.has(id)) continue;
      seen.add(id);
      const s = this.snapshotOf(id);
      if (s) out.push(s);
    }
    for (const t of listRunningTransfers(this.repo.annexdir)) {
      const id = transferId(t.direction, t.uuid, t.key);
      if (this.running.has(id)) continue;
      const remote = [...this.remotes.values()].find((r) => r.uuid === t.uuid)?.name ?? t.uuid;
      out.push(externalSnapshot(t, 'running', remote));
    }
    return out;
  }

  private emitChanged(id: string): void {
    const s = this.snapshotOf(id);
    if (s) this.options.events?.({ type: 'transfer-changed', transfer: s, at: Date.now() });
  }

  private emitControl(): void {
    for (const id of [...this.running.keys(), ...this.queue.items(50).map((i) => i.id)])
      this.emitChanged(id);
  }

  private startProgressTimer(): void {
    if (this.progressTimer) return;
    this.progressTimer = setInterval(() => {
      if (this.running.size === 0) {
        clearInterval(this.progressTimer);
        this.progressTimer = undefined;
        return;
      }
      const now = Date.now();
      const progress = sampleProgress(this.running.values(), now);
      this.options.events?.({ type: 'transfers-progressed', progress, at: now });
    }, 250);
  }

  private scheduleRecheck(): void {
    if (this.recheckTimer || this.isStopped) return;
    const hasWaiting =
      this.parked.size > 0 || this.queue.items(100).some((i) => !this.itemAvailable(i));
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
    for (const [id, p] of this.parked) {
      if (p.state === 'paused') continue;
      const isBack = p.state === 'waiting' && p.retryAt === null && this.itemAvailable(p.item);
      if ((p.retryAt !== null && now >= p.retryAt) || isBack) {
        this.parked.delete(id);
        this.enqueue(p.item, 'later');
      }
    }
    this.pump();
  }

  /** Resolves when nothing runs and nothing queued can start (for tests and the CLI). */
  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  private isIdle(): boolean {
    return (
      this.running.size === 0 &&
      this.afterHooks === 0 &&
      (this.isPaused || !this.queue.items().some((i) => this.canStart(i)))
    );
  }

  private settleIdle(): void {
    for (const w of [...this.remoteWaiters]) {
      if (!this.isRemoteBusy(w.remote)) {
        this.remoteWaiters.delete(w);
        w.resolve();
      }
    }
    if (!this.isIdle()) return;
    for (const w of this.idleWaiters.splice(0)) w();
  }

  // ---------------------------------------------------------------- drives

  private readonly remoteWaiters = new Set<{ remote: string; resolve: () => void }>();

  /** Whether anything is queued, running or briefly held up between here and `remote`. */
  isRemoteBusy(remote: string): boolean {
    const direct = (i: QueueItem): boolean => i.remote === remote && !i.via;
    if (this.isStopped) return false;
    for (const r of this.running.values()) if (direct(r.item)) return true;
    if (this.queue.items().some(direct)) return !this.isPaused && !this.pausedRemotes.has(remote);
    for (const p of this.parked.values())
      if (
        direct(p.item) &&
        p.state === 'waiting' &&
        (p.retryAt !== null || this.isAvailable(remote))
      )
        return true;
    return false;
  }

  /** `remote` is back (a drive plugged in): what waited for it goes first. */
  reconnect(remote: string): number {
    let n = 0;
    for (const [id, p] of this.parked) {
      if (p.item.remote !== remote || p.item.via || p.state !== 'waiting') continue;
      this.parked.delete(id);
      if (this.enqueue(p.item, 'next')) n++;
    }
    this.pump();
    return n;
  }

  /** Transfers with `remote` that failed and wait for a retry. */
  failedWith(remote: string): number {
    return [...this.parked.values()].filter((p) => p.item.remote === remote && p.state === 'failed')
      .length;
  }

  /** Resolves when nothing is left to move between here and `remote` (failures aside). */
  whenRemoteIdle(remote: string): Promise<void> {
    if (!this.isRemoteBusy(remote)) return Promise.resolve();
    return new Promise((resolve) => this.remoteWaiters.add({ remote, resolve }));
  }

  /**
   * Everything this repository and `remote` should exchange (uploads it wants, downloads we
   * want from it), queued ahead of other work: a drive just plugged in goes first.
   */
  async scanRemote(remote: string, signal?: AbortSignal): Promise<number> {
    const info = this.remotes.get(remote);
    if (!info?.uuid) return 0;
    let n = 0;
    for await (const item of remoteScanItems(this.planning, info, signal)) {
      if (this.isStopped) break;
      if (this.enqueue(item, 'next')) {
        n++;
        if (n === 1) this.pump(); // the first byte should not wait for the whole scan
      }
    }
    this.pump();
    return n;
  }

  /**
   * A drive holding `remote` went away: its running transfers stop with their partial data
   * kept, and everything for it waits until it is back.
   */
  disconnect(remote: string): number {
    let n = 0;
    for (const r of this.running.values()) {
      if (r.item.remote !== remote || r.item.via) continue;
      r.stopReason = 'offline';
      r.abort.abort();
      n++;
    }
    this.pump();
    return n;
  }

  async stop(): Promise<void> {
    this.isStopped = true;
    for (const r of this.running.values()) {
      r.stopReason = 'paused';
      r.abort.abort();
    }
    if (this.progressTimer) clearInterval(this.progressTimer);
    if (this.recheckTimer) clearTimeout(this.recheckTimer);
    for (const w of this.roomWaiters.splice(0)) w();
    // Running transfers were told to stop; a stuck file system must not hold up quitting.
    const deadline = Date.now() + 10_000;
    while (this.running.size > 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    if (this.running.size > 0)
      this.options.log?.(
        `${this.running.size} transfer(s) did not stop within 10 s; their partial copies are kept`,
      );
  }
}
