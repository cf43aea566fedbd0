/**
 * Creating a git repository (isomorphic-git's init), honouring init.defaultBranch, with the
 * filesystem's abilities probed as `git init` probes them: isomorphic-git writes
 * `filemode = false`, `symlinks = false` and `ignorecase = true` everywhere, which would make git
 * check locked files out as text files holding their link, and take `a.txt` and `A.txt` for one.
 */
import git from 'isomorphic-git';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { gitContext } from './context';
import { setConfig } from './read';

export async function initGitRepository(dir: string, defaultBranch: string): Promise<void> {
  await git.init({ fs, dir, defaultBranch });
  const gitdir = join(dir, '.git');
  const ctx = gitContext(dir, gitdir, false);
  await setConfig(ctx, 'core.filemode', String(probeFilemode(gitdir)));
  await setConfig(ctx, 'core.symlinks', String(probeSymlinks(gitdir)));
  await setConfig(ctx, 'core.ignorecase', String(fs.existsSync(join(gitdir, 'CoNfIg'))));
}

/** Whether the executable bit sticks (it does not on FAT and some network shares). */
function probeFilemode(gitdir: string): boolean {
  const path = join(gitdir, 'config');
  try {
    const mode = fs.statSync(path).mode;
    fs.chmodSync(path, mode ^ 0o100);
    const changed = (fs.statSync(path).mode & 0o100) !== (mode & 0o100);
    fs.chmodSync(path, mode);
    return changed;
  } catch {
    return false;
  }
}

function probeSymlinks(gitdir: string): boolean {
  const path = join(gitdir, `ferry-symlink-probe-${process.pid}`);
  try {
    fs.symlinkSync('config', path);
    fs.unlinkSync(path);
    return true;
  } catch {
    return false;
  }
}
