/**
 * Serializes work that rewrites a repository's index or branches within this process: the
 * assistant's commits and merges, `ferry sync`, and content arriving into unlocked files. Not
 * reentrant: never call it from inside itself.
 */
const locks = new Map<string, Promise<unknown>>();

export async function withRepositoryLock<T>(
  repo: { gitdir: string },
  fn: () => Promise<T>,
): Promise<T> {
  const previous = locks.get(repo.gitdir) ?? Promise.resolve();
  const run = previous.then(fn, fn);
  const settled = run.catch(() => undefined);
  locks.set(repo.gitdir, settled);
  try {
    return await run;
  } finally {
    if (locks.get(repo.gitdir) === settled) locks.delete(repo.gitdir);
  }
}
