/**
 * Serializes work that rewrites a repository's index or branches within this process: the
 * assistant's commits and merges, `ferry sync`, and content arriving into unlocked files. Not
 * reentrant: never call it from inside itself.
 */
import { inTurn } from '../os/in-turn';

export function withRepositoryLock<T>(repo: { gitdir: string }, fn: () => Promise<T>): Promise<T> {
  return inTurn(`repository:${repo.gitdir}`, fn);
}
