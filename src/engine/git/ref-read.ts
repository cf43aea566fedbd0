/**
 * Resolving a ref by reading it: `HEAD` or a full `refs/...` name, loose file first, then
 * packed-refs (parsed once per change of that file), symbolic refs followed as git follows
 * them. isomorphic-git's resolveRef looked for the git directory and read packed-refs again on
 * every call, which a burst of transfers made by the thousand. Any other spelling (a short name,
 * an oid) is left to isomorphic-git, which knows git's lookup order for them.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import git from 'isomorphic-git';
import { errnoCode } from '../errors';
import { gitFs } from './context';

const OID = /^[0-9a-f]{40}$/;

interface Packed {
  readonly stamp: string;
  readonly refs: Map<string, string>;
}

const packedByGitdir = new Map<string, Packed>();

function packedRefs(gitdir: string): Map<string, string> {
  const path = join(gitdir, 'packed-refs');
  let stamp: string;
  try {
    const st = statSync(path);
    stamp = `${st.mtimeMs}:${st.size}:${st.ino}`;
  } catch {
    packedByGitdir.delete(gitdir);
    return new Map();
  }
  const known = packedByGitdir.get(gitdir);
  if (known?.stamp === stamp) return known.refs;
  const refs = new Map<string, string>();
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    // gone between the stat and the read: as if it had no refs
  }
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#') || line.startsWith('^')) continue;
    const space = line.indexOf(' ');
    const oid = line.slice(0, space);
    if (space === 40 && OID.test(oid)) refs.set(line.slice(space + 1), oid);
  }
  if (packedByGitdir.size >= 64) packedByGitdir.clear();
  packedByGitdir.set(gitdir, { stamp, refs });
  return refs;
}

/** A loose ref's text; undefined when there is none; null when it cannot be read as one. */
function readLooseRef(gitdir: string, ref: string): string | undefined | null {
  try {
    return readFileSync(join(gitdir, ref), 'utf8').trim();
  } catch (e) {
    const code = errnoCode(e);
    return code === 'ENOENT' || code === 'ENOTDIR' ? undefined : null;
  }
}

function resolveDirect(gitdir: string, ref: string, depth: number): string | undefined | null {
  if (depth > 5 || (ref !== 'HEAD' && !ref.startsWith('refs/')) || ref.includes('..')) return null;
  const loose = readLooseRef(gitdir, ref);
  if (loose === null) return null;
  if (loose !== undefined) {
    if (OID.test(loose)) return loose;
    if (loose.startsWith('ref: ')) return resolveDirect(gitdir, loose.slice(5).trim(), depth + 1);
    return null;
  }
  return packedRefs(gitdir).get(ref);
}

/** The oid `ref` points at, or undefined when it does not exist. */
export async function resolveRefIn(gitdir: string, ref: string): Promise<string | undefined> {
  const direct = resolveDirect(gitdir, ref, 0);
  if (direct !== null) return direct;
  try {
    return await git.resolveRef({ fs: gitFs, gitdir, ref });
  } catch {
    return undefined;
  }
}
