/**
 * Where the assistant's git work meets the transferrer: files a merge brought are queued (a
 * download when missing, onward when here), files a commit added are sent once their commit
 * has been pushed (so the tree reaches the others first) or, a few small ones, just before, new location logs let waiting
 * downloads find a source, and the network map is re-read after each push round.
 */
import type { Repository } from '../annex/repository';
import { keySize } from '../annex/key';
import { keyOfBlob } from '../annex/worktree';
import type { Transferrer } from '../transfer/transferrer';
import { diffTrees } from './worktree-update';
import { errorMessage } from '../../shared/errors';

/** At most this many files, each at most this big, go before the push (see `committed`). */
const SEND_FIRST_FILES = 16;
const SEND_FIRST_BYTES = 1 << 20;
/** How long the push waits for them at most. */
const SEND_FIRST_WAIT_MS = 1500;

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
   * Files a commit added. A few small ones (a saved note, a photo) are sent before the push, so
   * the tree and where their content is travel together and the others fetch once; anything
   * bigger is sent after the push, so its name reaches the others first.
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
    let queued = 0;
    for (const a of annexed)
      queued += await this.transfers
        .queueUploads(a.key, a.path, 'next')
        .catch((e: unknown) => (this.log(errorMessage(e)), 0));
    if (queued === 0) return;
    let timer: NodeJS.Timeout | undefined;
    // a remote that is slow or away holds the push back this long at most
    await Promise.race([
      this.transfers.whenIdle(),
      new Promise<void>((r) => (timer = setTimeout(r, SEND_FIRST_WAIT_MS))),
    ]);
    clearTimeout(timer);
  }

  /** New location logs arrived: content waited for may now be on a remote. */
  locationsChanged(): void {
    void this.transfers
      .locationsChanged()
      .catch((e: unknown) => this.log(`queueing downloads: ${errorMessage(e)}`));
  }

  /** A push round ended: the map again (others' remotes may have changed), then the uploads. */
  async pushed(): Promise<void> {
    await this.transfers.refreshMap();
    for (const a of this.afterPush.splice(0)) {
      void this.transfers
        .queueUploads(a.key, a.path, 'next')
        .catch((e: unknown) => this.log(errorMessage(e)));
    }
  }
}
