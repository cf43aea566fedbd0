/**
 * The file watcher the assistant receives: an interface, and the real one on @parcel/watcher
 * (inotify on Linux). The CLI and the desktop shell build the real one; tests may too.
 */
import { watch } from 'node:fs';

export interface WatchEvent {
  readonly type: 'create' | 'update' | 'delete';
  /** absolute path */
  readonly path: string;
}

export interface Subscription {
  unsubscribe(): Promise<void>;
}

export type WatchFn = (
  dir: string,
  onEvents: (events: readonly WatchEvent[]) => void,
  options: { ignore: readonly string[] },
) => Promise<Subscription>;

export const parcelWatch: WatchFn = async (dir, onEvents, options) => {
  // loaded by the first watch, not by every `ferry` command
  const parcel = (await import('@parcel/watcher')).default;
  const sub = await parcel.subscribe(
    dir,
    (err, events) => {
      if (err) return; // the directory vanished: the assistant notices and resubscribes
      onEvents(events.map((e) => ({ type: e.type, path: e.path })));
    },
    // On Linux inotify directly: left to choose, the watcher first tries watchman through
    // `sh -c`, and that shell stayed behind as a zombie beside every assistant.
    {
      ignore: [...options.ignore],
      ...(process.platform === 'linux' ? { backend: 'inotify' } : {}),
    },
  );
  return { unsubscribe: () => sub.unsubscribe() };
};

/**
 * Calls `onChange` (debounced 100 ms) when the git directory's `config` changes: a remote added,
 * removed or re-costed. Undefined when the git directory is gone.
 */
export function watchGitConfig(
  gitdir: string,
  onChange: () => void,
): { close(): void } | undefined {
  let timer: NodeJS.Timeout | undefined;
  try {
    const watcher = watch(gitdir, (_type, name) => {
      if (name !== 'config') return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        timer = undefined;
        onChange();
      }, 100);
    });
    watcher.on('error', () => undefined);
    return {
      close: () => {
        if (timer) clearTimeout(timer);
        watcher.close();
      },
    };
  } catch {
    return undefined;
  }
}
