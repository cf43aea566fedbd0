/**
 * "Sync with" in the window: another repository on this machine becomes a remote, named by its
 * description, and when Ferry syncs that one too it gets the way back, so changes flow both ways.
 */
import { basename } from 'node:path';
import { AnnexBranch } from '../annex/branch';
import { parseUuidLog } from '../annex/logs';
import type { Repository } from '../annex/repository';
import { FerryError } from '../errors';
import { addLocalRemote } from './git-remotes';

/** Adds `other` as a remote of `mine` (and `mine` of `back`, when given); returns the remote's name. */
export async function linkRepositories(
  mine: Repository,
  other: Repository,
  back?: Repository,
): Promise<string> {
  if (other.uuid === mine.uuid) throw new FerryError('usage', `${other.top} is this folder itself`);
  const name = parseUuidLog(await new AnnexBranch(mine).read('uuid.log')).get(other.uuid)?.value;
  const remote = await addLocalRemote(mine, other.top, name ?? basename(other.top));
  if (back) await addLocalRemote(back, mine.top, basename(mine.top));
  return remote;
}
