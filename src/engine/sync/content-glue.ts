/**
 * Where the assistant's git work meets the transferrer: files a merge brought are queued (a
 * download when missing, onward when here), files a commit added are sent once their commit
 * has been pushed (so the tree reaches the others first) or, a few small ones, beside the push, new location logs let waiting
 * downloads find a source, and the network map is re-read after each push round.
 */
import type { Repository } from '../annex/repository';
import { keySize } from '../annex/key';
import { keyOfBlob } from '../annex/worktree';
import type { Transferrer } from '../transfer/transferrer';
import { diffTrees } from './worktree-update';
import { errorMessage } from '../../shared/errors';
import { span, traced } from '../trace';

/** At most this many files, each at most this big, go beside the push (see `committed`). */
const SEND_FIRST_FILES = 16;
const SEND_FIRST_BYTES = 1 << 20;

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
   * Files a commit added. A few small ones (a saved note, a photo) start moving at once, beside
   * the push (the other side's merge writes the file with its content when it came first, and
   * the content fills the file when the merge came first); anything bigger is sent after the
   * push, so its name reaches the others first.
   */
  async committed(annexed: readonly { path: string; key: string }[]): Promise<void> {
    const isSmall =
      annexed.length > 0 &&
      annexed.length <= SEND_FIRST_FILES &&
      annexed.every((a) => (keySize(a.key) ?? Infinity) <= SEND_FIRST_BYTES);
    if (!isSmall) {
      this.afterPush.push(...annexed);
      return;
    }
    for (const a of annexed)
      await this.transfers
        .queueUploads(a.key, a.path, 'next')
        .catch((e: unknown) => (this.log(errorMessage(e)), 0));
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
    const ended = span('queue-uploads', `${files.length} files`);
    void Promise.all(
      files.map((a) =>
        this.transfers
          .queueUploads(a.key, a.path, 'next')
          .catch((e: unknown) => this.log(errorMessage(e))),
      ),
    ).finally(() => ended());
  }
}
