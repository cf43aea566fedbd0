/** Updating this repository's refs, with a check that the ref still holds what we based the update on. */
import git from 'isomorphic-git';
import { FerryError } from '../errors';
import type { GitContext } from './context';
import { setOwnRef } from './own-refs';
import { readRef } from './ref-store';

/**
 * Sets `ref` to `value` under git's `<ref>.lock` (written, then renamed), so a process killed at
 * any instant leaves the old value or the new one, never a torn ref file. `expected` is what
 * the ref must hold (undefined: must not exist; null: anything).
 */
export async function updateRef(
  ctx: GitContext,
  ref: string,
  value: string,
  expected: string | undefined | null,
): Promise<void> {
  if (!(await tryUpdateRef(ctx, ref, value, expected))) {
    throw new FerryError('git-error', `${ref} moved while Ferry was updating it`, {
      ref,
      expected,
      current: await readRef(ctx.gitdir, ref),
    });
  }
}

/** As updateRef, but false instead of an error when the ref no longer holds `expected`. */
export function tryUpdateRef(
  ctx: GitContext,
  ref: string,
  value: string,
  expected: string | undefined | null,
): Promise<boolean> {
  return setOwnRef(ctx.gitdir, ref, value, expected);
}

export async function setSymbolicHead(ctx: GitContext, branch: string): Promise<void> {
  await git.writeRef({
    fs: ctx.fs,
    gitdir: ctx.gitdir,
    ref: 'HEAD',
    value: `refs/heads/${branch}`,
    symbolic: true,
    force: true,
  });
}
