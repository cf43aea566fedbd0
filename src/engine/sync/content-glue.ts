/**
 * Where the assistant's git work meets the transferrer: files a merge brought are queued (a
 * download when missing, onward when here), files a commit added are sent beside the push
 * (small ones) or once their commit has been pushed (so a big file's name reaches the others
 * first), new location logs let waiting downloads find a source, and the network map is re-read
 * after each push round.
 */
import type { Repository } from '../annex/repository';
import { keySize } from '../annex/key';
import { keyOfBlob } from '../annex/worktree';
import type { Transferrer } from '../transfer/transferrer';
import { diffTrees } from './worktree-update';
import { errorMessage } from '../../shared/errors';
import { span, traced } from '../trace';

/** Files at most this big go beside the push, while their total stays within SEND_FIRST_TOTAL (see `committed`). */
const SEND_FIRST_BYTES = 1 << 20;
const SEND_FIRST_TOTAL = 64 << 20;

export class ContentGlue {
  private readonly afterPush: { path: string; key: string }[] = [];

  constructor(
    private readonly repo: Repository,
    private readonly transfers: Transferrer,
    private readonly log: (message: string) => void,
  ) {}

  /** Files that arrived in a merge: download what is missing and wanted, send on what is here. */
  async arrived(oldTree: string | undefined, newTree: string): Promise<void> {
    try {
      for (const change of await diffTrees(this.repo, oldTree, newTree)) {
        const entry = change.after;
        if (!entry || entry.type !== 'blob') continue;
        const key = await keyOfBlob(this.repo, entry.oid, entry.mode === '120000');
        if (key) await this.transfers.queueFor(key, change.path, 'next');
      }
    } catch (e) {
      this.log(`queueing transfers for merged files: ${errorMessage(e)}`);
    }
  }

  /**
   * Files a commit added. Small ones (notes, photos, a folder of them) start moving at once,
   * beside the push (the other side's merge writes each file with its content when the content
   * came first, and the content fills the file when the merge came first), so a burst of them
   * is complete on the other side about when its names are; anything bigger is sent after the
   * push, so its name reaches the others first.
   */
  committed(annexed: readonly { path: string; key: string }[]): void {
    const first: { path: string; key: string }[] = [];
    let total = 0;
    for (const a of annexed) {
      const size = keySize(a.key) ?? Infinity;
      if (size <= SEND_FIRST_BYTES && total + size <= SEND_FIRST_TOTAL) {
        first.push(a);
        total += size;
      } else this.afterPush.push(a);
    }
    if (first.length > 0) this.queue(first, 'queue-uploads-first');
  }

  /** Queues uploads of `files` in the background (the commit and the push do not wait for it). */
  private queue(files: readonly { path: string; key: string }[], phase: string): void {
    const ended = span(phase, `${files.length} files`);
    void Promise.all(
      files.map((a) =>
        this.transfers
          .queueUploads(a.key, a.path, 'next')
          .catch((e: unknown) => this.log(errorMessage(e))),
      ),
    ).finally(() => ended());
  }

  /** New location logs arrived: content waited for may now be on a remote. */
  locationsChanged(): void {
    void this.transfers
      .locationsChanged()
      .catch((e: unknown) => this.log(`queueing downloads: ${errorMessage(e)}`));
  }

  /** A push round ended: the map again (others' remotes may have changed), then the uploads. */
  async pushed(): Promise<void> {
    await traced('refresh-map', () => this.transfers.refreshMap());
    const files = this.afterPush.splice(0);
    if (files.length === 0) return;
    this.queue(files, 'queue-uploads');
  }
}
