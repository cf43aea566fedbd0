/**
 * Moving git objects between two repositories on this machine (another clone, a drive) without
 * the git binary: walk from the wanted tips, stop wherever the destination already has the
 * object (a present commit or tree implies everything below it), and write what is missing as
 * one pack. Objects land before any ref moves, so a crash never leaves a ref to a missing object.
 */
import git from 'isomorphic-git';
import { FerryError } from '../errors';
import { cacheFor, type GitContext } from './context';
import { objectProblem } from './fsck';
import type { ObjectDatabase } from './object-db';
import { hashObject, ObjectBatch, type ObjectType } from './object-writer';

function parseCommitLinks(raw: Buffer): string[] {
  const out: string[] = [];
  const end = raw.indexOf('\n\n');
  for (const line of raw.toString('utf8', 0, end < 0 ? raw.length : end).split('\n')) {
    if (line.startsWith('tree ') || line.startsWith('parent '))
      out.push(line.slice(line.indexOf(' ') + 1));
  }
  return out;
}

function parseTreeLinks(raw: Buffer): string[] {
  const out: string[] = [];
  let pos = 0;
  while (pos < raw.length) {
    const space = raw.indexOf(0x20, pos);
    const nul = raw.indexOf(0, space);
    const mode = raw.toString('latin1', pos, space);
    const oid = raw.toString('hex', nul + 1, nul + 21);
    if (mode !== '160000') out.push(oid); // submodule commits live elsewhere
    pos = nul + 21;
  }
  return out;
}

function parseTagLinks(raw: Buffer): string[] {
  const m = /^object ([0-9a-f]{40})/m.exec(raw.toString('utf8'));
  return m?.[1] ? [m[1]] : [];
}

export interface CopyResult {
  readonly objects: number;
  readonly bytes: number;
}

/**
 * Copies every object reachable from `tips` that `dest` lacks. Every object is checked before
 * anything is written: its bytes must hash to its id and trees, commits and tags must pass git's
 * fsck checks. One bad object fails the whole copy (a `bad-object` error naming it) and nothing is
 * stored, so callers copy one tip at a time to keep the others.
 */
export async function copyObjects(
  source: GitContext,
  dest: { gitdir: string; db: ObjectDatabase; untrusted?: boolean },
  tips: readonly string[],
  signal?: AbortSignal,
): Promise<CopyResult> {
  const batch = new ObjectBatch(dest.gitdir, 32, dest.untrusted === true);
  const seen = new Set<string>();
  const stack = [...tips];
  let bytes = 0;
  while (stack.length > 0) {
    signal?.throwIfAborted();
    const oid = stack.pop() ?? '';
    if (seen.has(oid) || dest.db.has(oid)) continue;
    seen.add(oid);
    const { type, object } = await git.readObject({
      fs: source.fs,
      gitdir: source.gitdir,
      oid,
      format: 'content',
      cache: cacheFor(source),
    });
    const raw = Buffer.from(object as Uint8Array);
    bytes += raw.length;
    const problem =
      hashObject(type as ObjectType, raw) !== oid
        ? 'its bytes do not hash to its id'
        : objectProblem(type, raw);
    if (problem) {
      throw new FerryError('bad-object', `${type} ${oid} is refused: it holds ${problem}`, {
        oid,
        type,
      });
    }
    batch.add(type as ObjectType, raw);
    if (type === 'commit') stack.push(...parseCommitLinks(raw));
    else if (type === 'tree') stack.push(...parseTreeLinks(raw));
    else if (type === 'tag') stack.push(...parseTagLinks(raw));
  }
  const objects = batch.size;
  await batch.flush();
  return { objects, bytes };
}
