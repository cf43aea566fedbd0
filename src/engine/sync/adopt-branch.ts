/**
 * A repository with no commit yet (a folder joined while the shared one was still empty, or
 * cloned from an empty one) takes the branch the others use once one arrives: its HEAD is set
 * to that branch (main, else master, else the first other), so the merge that follows brings
 * the files in. A repository with any commit keeps its branch.
 */
import type { Repository } from '../annex/repository';
import { listRefs, resolveRef } from '../git/read';
import { isSafeRefName } from '../git/pack-service';
import { setSymbolicHead } from '../git/write-ref';

export async function adoptBranch(repo: Repository): Promise<string | undefined> {
  if (await resolveRef(repo.git, 'HEAD')) return undefined;
  const names = new Set<string>();
  for (const r of await listRefs(repo.git, 'refs/heads/synced'))
    names.add(r.split('/').at(-1) ?? r);
  for (const r of await listRefs(repo.git, 'refs/remotes')) {
    const parts = r.split('/');
    // refs/remotes/<remote>/<branch>, not synced/ ones
    if (parts.length === 4 && parts[3]) names.add(parts[3]);
  }
  names.delete('git-annex');
  names.delete('HEAD');
  const branch = ['main', 'master'].find((b) => names.has(b)) ?? [...names][0];
  if (!branch || !isSafeRefName(`refs/heads/${branch}`)) return undefined;
  await setSymbolicHead(repo.git, branch);
  return branch;
}
