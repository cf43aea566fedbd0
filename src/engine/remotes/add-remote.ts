/**
 * Adding a remote from the window: an ssh host (`user@host:path`, `ssh://...`) or a path on
 * this machine. The connection is tried before anything is written (for a host: ssh, its
 * git-annex-shell, the repository's UUID), so a typo, a missing key or an unknown host key is
 * an error that says what to do, not a broken remote left in the configuration.
 */
import { resolve } from 'node:path';
import type { Repository } from '../annex/repository';
import { findRepository } from '../annex/repository';
import { FerryError } from '../errors';
import { setConfig } from '../git/read';
import { parseSshUrl } from '../ssh/url';
import { addLocalRemote, COST_EXPENSIVE, freeRemoteName } from './git-remotes';
import { SshRemote } from './ssh';

export async function addRemote(repo: Repository, url: string, name?: string): Promise<string> {
  const text = url.trim();
  const target = parseSshUrl(text);
  if (!target) {
    const path = resolve(text);
    if (!findRepository(path))
      throw new FerryError(
        'usage',
        `${text} is neither an ssh address (user@host:path) nor a repository on this machine`,
      );
    return addLocalRemote(repo, path, name ?? path.split('/').at(-1) ?? 'remote');
  }
  const chosen = await freeRemoteName(repo, name ?? target.host);
  // try it before anything is written: the remote's UUID comes back, or why not
  const remote = await SshRemote.open(repo, {
    name: chosen,
    url: text,
    path: undefined,
    uuid: undefined,
    cost: COST_EXPENSIVE,
    isIgnored: false,
    isAvailable: true,
  });
  await setConfig(repo.git, `remote.${chosen}.url`, text);
  await setConfig(repo.git, `remote.${chosen}.fetch`, `+refs/heads/*:refs/remotes/${chosen}/*`);
  await remote.close();
  return chosen;
}
