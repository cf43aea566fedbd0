/** One mount source shared by every folder's drive manager. */
import type { Mount, MountListener, MountSource } from './mounts';

/** One mount source, many drive managers: each gets the current list and every change. */
export class MountFanOut {
  private readonly listeners = new Set<MountListener>();
  private last: readonly Mount[] = [];
  private started: Promise<void> | undefined;

  constructor(private readonly source: MountSource) {}

  child(): MountSource {
    return {
      name: this.source.name,
      start: async (listener) => {
        this.listeners.add(listener);
        this.started ??= this.source.start((mounts) => {
          this.last = mounts;
          for (const l of this.listeners) l(mounts);
        });
        await this.started;
        listener(this.last);
      },
      rescan: () => this.source.rescan(),
      stop: () => Promise.resolve(),
    };
  }

  stop(): Promise<void> {
    this.listeners.clear();
    return this.source.stop();
  }
}
