/**
 * Unlocked files whose content is here but whose work-tree file still holds the pointer get
 * their bytes: content can arrive (a device's PUT) before the merge that writes the pointer, or
 * while it runs, and neither side alone sees both. A sweep runs shortly after either, once for
 * a burst; files changed by the user are left alone (populateUnlocked checks each).
 */
import { populateUnlocked } from './content';
import type { Repository } from './repository';
import { annexedFiles } from './worktree';

const SETTLE_MS = 300;

export class PointerSweep {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private isAgain = false;
  private isStopped = false;

  constructor(private readonly repo: () => Repository) {}

  soon(): void {
    if (this.isStopped || this.repo().isBare) return;
    if (this.running) {
      this.isAgain = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.sweep().finally(() => {
        this.running = undefined;
        if (this.isAgain) {
          this.isAgain = false;
          this.soon();
        }
      });
    }, SETTLE_MS);
    this.timer.unref();
  }

  stop(): void {
    this.isStopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private async sweep(): Promise<void> {
    const repo = this.repo();
    const files = await annexedFiles(repo).catch(() => []);
    await populateUnlocked(repo, files).catch(() => undefined);
  }
}
