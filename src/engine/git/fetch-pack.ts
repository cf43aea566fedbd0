/**
 * `git fetch` from a git service on another machine, with no git binary: the v0 pack protocol
 * (`git-upload-pack`): read the advertisement, want the branches we lack, tell what we have
 * (our ref tips and their recent history), and receive one pack (side-band-64k) into a
 * quarantine folder. The pack is indexed there, and its objects join the repository through
 * the same checked copy the local transport uses, one branch at a time: a bad object is refused
 * with its branch and nothing of it is written; nothing ever lands unchecked.
 */
import git from 'isomorphic-git';
import { createWriteStream, promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { FerryError, isFerryError } from '../errors';
import { cacheFor, gitContext, type GitContext } from './context';
import { copyBranches, updateRemoteRefs, type FetchResult } from './fetch-local';
import type { ObjectDatabase } from './object-db';
import { isSafeRefName, type ServiceConnector } from './pack-service';
import { FLUSH, pkt, PktReader, readAdvertisement } from './pkt-line';
import { listRefNames, readRef } from './ref-store';

/** The largest pack accepted in one fetch. */
export const MAX_PACK_BYTES = 16 * 1024 ** 3;
/**
 * How many commits of our history are offered as "have": every ref's tip first (what was
 * fetched from the host last time is among them), then their ancestors, newest first. Each one
 * costs both sides a read; 1,024 made every fetch take a third of a second.
 */
const MAX_HAVES = 128;

async function ourHaves(local: GitContext): Promise<string[]> {
  const tips = new Set<string>();
  for (const prefix of ['refs/heads', 'refs/remotes', 'refs/synced']) {
    for (const ref of await listRefNames(local.gitdir, prefix).catch(() => [])) {
      const oid = await readRef(local.gitdir, ref);
      if (oid) tips.add(oid);
    }
  }
  const out: string[] = [];
  const seen = new Set<string>();
  const queue = [...tips];
  while (queue.length > 0 && out.length < MAX_HAVES) {
    const oid = queue.shift() ?? '';
    if (seen.has(oid)) continue;
    seen.add(oid);
    try {
      const { commit } = await git.readCommit({
        fs: local.fs,
        gitdir: local.gitdir,
        oid,
        cache: cacheFor(local),
      });
      out.push(oid);
      queue.push(...commit.parent);
    } catch {
      // not a commit here (a tag, or missing): not offered
    }
  }
  return out;
}

/** Receives the pack after our `done` into `path`; side-band data, progress and errors split. */
async function receivePack(
  reader: PktReader,
  path: string,
  sideBand: boolean,
  peer: string,
): Promise<number> {
  // the answer to `done`: ACK <oid> or NAK
  const ack = await reader.read();
  if (ack === undefined || !/^(ACK|NAK)/.test(ack.toString('latin1')))
    throw new FerryError('protocol-error', `${peer} did not answer with ACK or NAK`, {
      remote: peer,
    });
  const out = createWriteStream(path, { flags: 'wx', mode: 0o444 });
  let size = 0;
  const write = (b: Buffer): Promise<void> =>
    new Promise((resolve, reject) => {
      size += b.length;
      if (size > MAX_PACK_BYTES) {
        reject(new FerryError('too-large', `${peer} sent a pack over ${MAX_PACK_BYTES} bytes`));
        return;
      }
      out.write(b, (e) => (e ? reject(e) : resolve()));
    });
  try {
    if (!sideBand) {
      throw new FerryError('protocol-error', `${peer} does not offer side-band-64k`, {
        remote: peer,
      });
    }
    for (;;) {
      const p = await reader.read();
      if (p === undefined) break;
      const band = p[0];
      if (band === 1) await write(p.subarray(1));
      else if (band === 3)
        throw new FerryError(
          'git-error',
          `${peer}: ${p.subarray(1).toString('utf8').slice(0, 300)}`,
          {
            remote: peer,
          },
        );
      // band 2: progress text, not shown
    }
  } finally {
    await new Promise<void>((r) => out.end(r));
  }
  return size;
}

export async function fetchPack(
  local: GitContext,
  localDb: ObjectDatabase,
  remoteName: string,
  connect: ServiceConnector,
  signal?: AbortSignal,
): Promise<FetchResult> {
  const conn = connect('git-upload-pack');
  // stopping ends the session at once, even in the middle of a wait on the other side
  const stop = (): void => conn.close();
  signal?.addEventListener('abort', stop, { once: true });
  const quarantine = join(
    local.gitdir,
    'annex',
    'ferry',
    'incoming',
    randomBytes(6).toString('hex'),
  );
  try {
    const reader = new PktReader(conn.input, remoteName);
    let adv;
    try {
      adv = await readAdvertisement(reader, remoteName);
    } catch (e) {
      const said = conn.problem().trim();
      if (said && isFerryError(e, 'remote-unavailable'))
        throw new FerryError(
          'remote-unavailable',
          `${remoteName}: ${said.split('\n').at(-1) ?? said}`,
          { remote: remoteName },
          e,
        );
      throw e;
    }
    const refused: FetchResult['refused'] = [];
    const heads: { branch: string; oid: string }[] = [];
    for (const [ref, oid] of adv.refs) {
      if (!ref.startsWith('refs/heads/')) continue;
      if (!isSafeRefName(ref)) {
        refused.push({ ref: ref.slice(0, 200), reason: 'not a ref name git accepts' });
        continue;
      }
      heads.push({ branch: ref.slice('refs/heads/'.length), oid });
    }
    const wants = [...new Set(heads.map((h) => h.oid))].filter((oid) => !localDb.has(oid));
    let objects = 0;
    const fetched: typeof heads = [];
    if (wants.length > 0) {
      const caps = ['side-band-64k', 'ofs-delta', 'agent=ferry'].filter(
        (c) => c.startsWith('agent=') || adv.capabilities.has(c),
      );
      const request: Buffer[] = wants.map((oid, i) =>
        pkt(`want ${oid}${i === 0 ? ` ${caps.join(' ')}` : ''}\n`),
      );
      request.push(FLUSH);
      for (const have of await ourHaves(local)) request.push(pkt(`have ${have}\n`));
      request.push(pkt('done\n'));
      await conn.write(Buffer.concat(request));
      signal?.throwIfAborted();
      await fsp.mkdir(join(quarantine, 'objects', 'pack'), { recursive: true });
      const packRel = join('objects', 'pack', 'pack-incoming.pack');
      await receivePack(
        reader,
        join(quarantine, packRel),
        adv.capabilities.has('side-band-64k'),
        remoteName,
      );
      conn.end();
      try {
        await git.indexPack({
          fs: local.fs,
          dir: quarantine,
          gitdir: quarantine,
          filepath: packRel,
        });
      } catch (e) {
        throw new FerryError(
          'bad-object',
          `${remoteName} sent a pack that cannot be read: ${String(e)}`,
          { remote: remoteName },
          e,
        );
      }
      const copied = await copyBranches(
        gitContext(quarantine, quarantine, true),
        local,
        localDb,
        heads,
        signal,
      );
      objects = copied.objects;
      fetched.push(...copied.fetched);
      refused.push(...copied.refused);
    } else fetched.push(...heads);
    const updated = await updateRemoteRefs(local, remoteName, fetched);
    return { updated, objects, refused };
  } finally {
    signal?.removeEventListener('abort', stop);
    conn.close();
    await fsp.rm(quarantine, { recursive: true, force: true }).catch(() => undefined);
  }
}
