/** Updating refs, with a check that the ref still holds what we based the update on. */
import git from 'isomorphic-git';
import { FerryError } from '../errors';
import type { GitContext } from './context';
import { resolveRef } from './read';

export async function updateRef(
  ctx: GitContext,
  ref: string,
  value: string,
  expected: string | undefined | null,
): Promise<void> {
  if (expected !== null) {
    const current = await resolveRef(ctx, ref);
    if (current !== expected) {
      throw new FerryError('git-error', `${ref} moved while Ferry was updating it`, {
        ref,
        expected,
        current,
      });
    }
  }
  await git.writeRef({ fs: ctx.fs, gitdir: ctx.gitdir, ref, value, force: true });
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
