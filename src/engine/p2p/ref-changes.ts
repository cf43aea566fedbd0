/**
 * A repository's refs moving, as `git-annex-shell notifychanges` reports them: `.git/refs`
 * watched (lock files ignored), writes within 50 ms of the first coalesced, and the new values
 * read from the refs that changed (SHAs, not names). Feeds NOTIFYCHANGE in a P2P session,
 * `ferry shell notifychanges`, and the listener's notices to paired devices.
 */
import { promises as fsp } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { WatchFn } from '../sync/watcher';
import type { RefChanges } from './server';

const COALESCE_MS = 50;

export interface RefFeed extends RefChanges {
  /** called with each batch of new values */
  onChange(listener: (shas: string[]) => void): () => void;
  close(): Promise<void>;
}

export async function watchRefs(gitdir: string, watch: WatchFn): Promise<RefFeed> {
  const refsDir = join(gitdir, 'refs');
  const listeners = new Set<(shas: string[]) => void>();
  let pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  const flush = async (): Promise<void> => {
    timer = undefined;
    const names = [...pending];
    pending = new Set();
    const shas: string[] = [];
    for (const name of names) {
      const text = await fsp.readFile(join(gitdir, name), 'utf8').catch(() => '');
      const sha = /^[0-9a-f]{40}/.exec(text)?.[0];
      if (sha && !shas.includes(sha)) shas.push(sha);
    }
    if (shas.length === 0) return;
    for (const l of [...listeners]) l(shas);
  };
  const sub = await watch(
    refsDir,
    (events) => {
      for (const e of events) {
        if (e.type === 'delete' || e.path.endsWith('.lock')) continue;
        pending.add(relative(gitdir, e.path).split(sep).join('/'));
      }
      if (pending.size > 0 && !timer) timer = setTimeout(() => void flush(), COALESCE_MS);
    },
    { ignore: [] },
  );
  const onChange = (listener: (shas: string[]) => void): (() => void) => {
    listeners.add(listener);
    return () => listeners.delete(listener);
  };
  return {
    onChange,
    wait: (signal) =>
      new Promise<string[]>((resolve, reject) => {
        const off = onChange((shas) => {
          off();
          signal.removeEventListener('abort', aborted);
          resolve(shas);
        });
        const aborted = (): void => {
          off();
          reject(new Error('stopped waiting'));
        };
        signal.addEventListener('abort', aborted, { once: true });
      }),
    close: async () => {
      if (timer) clearTimeout(timer);
      listeners.clear();
      await sub.unsubscribe();
    },
  };
}
