/** Creating a git repository (isomorphic-git's init), honouring init.defaultBranch. */
import git from 'isomorphic-git';
import * as fs from 'node:fs';

export async function initGitRepository(dir: string, defaultBranch: string): Promise<void> {
  await git.init({ fs, dir, defaultBranch });
}
