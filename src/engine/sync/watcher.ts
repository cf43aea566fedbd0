/**
 * The file watcher the assistant receives: an interface, and the real one on @parcel/watcher
 * (inotify on Linux). The CLI and the desktop shell build the real one; tests may too.
 */
import parcel from '@parcel/watcher';

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
  const sub = await parcel.subscribe(
    dir,
    (err, events) => {
      if (err) return; // the directory vanished: the assistant notices and resubscribes
      onEvents(events.map((e) => ({ type: e.type, path: e.path })));
    },
    { ignore: [...options.ignore] },
  );
  return { unsubscribe: () => sub.unsubscribe() };
};
