/**
 * The assistant's ears on its remotes: for each remote whose kind can tell when its refs move
 * (an ssh host's notifychanges), one watch, kept in step with the remote list. A notice whose
 * values are all already here (our own push coming back) is dropped; the others ask for a pull
 * of that remote.
 */
import type { Repository } from '../annex/repository';
import type { RemoteInfo } from '../remotes/git-remotes';
import { watchRemoteChanges } from '../remotes/registry';
import type { ChangeWatch } from '../remotes/remote';
import { errorMessage } from '../../shared/errors';

export interface NoticeOptions {
  /** `remote`'s refs moved to `shas` */
  readonly changed: (remote: string, shas: readonly string[]) => void;
  /** whether an object is here already */
  readonly has: (oid: string) => boolean;
  readonly log?: (message: string) => void;
}

export class RemoteNotices {
  private readonly watches = new Map<string, { url: string; watch: ChangeWatch }>();
  private isStopped = false;

  constructor(
    private readonly repo: Repository,
    private readonly options: NoticeOptions,
  ) {}

  /** Starts watching new remotes, stops watching removed or re-pointed ones. */
  async refresh(remotes: readonly RemoteInfo[]): Promise<void> {
    const wanted = new Map(remotes.filter((r) => !r.isIgnored).map((r) => [r.name, r]));
    for (const [name, w] of this.watches) {
      if (wanted.get(name)?.url === w.url) continue;
      w.watch.close();
      this.watches.delete(name);
    }
    for (const r of wanted.values()) {
      if (this.isStopped || this.watches.has(r.name)) continue;
      try {
        const watch = await watchRemoteChanges(this.repo, r, {
          changed: (shas) => {
            if (shas.length > 0 && shas.every((s) => this.options.has(s))) return;
            this.options.changed(r.name, shas);
          },
          state: (isUp, message) => {
            if (!isUp && message) this.options.log?.(`change notices from ${r.name}: ${message}`);
          },
        });
        if (!watch) continue;
        if (this.isStopped) watch.close();
        else this.watches.set(r.name, { url: r.url, watch });
      } catch (e) {
        this.options.log?.(`cannot watch ${r.name} for changes: ${errorMessage(e)}`);
      }
    }
  }

  stop(): void {
    this.isStopped = true;
    for (const w of this.watches.values()) w.watch.close();
    this.watches.clear();
  }
}
