/**
 * git history carried by a special remote, in git-remote-annex's layout, so a bucket alone joins
 * two machines: `GITMANIFEST--<uuid>` (and `.bak`) lists `GITBUNDLE-s<size>--<uuid>-<sha256>`
 * keys in order (later bundles override refs; `-<key>` lines are bundles left behind), every
 * one stored as any key is (chunked, encrypted). Fetch reads the manifest afresh and imports the
 * bundles not seen yet (their refs remembered under `.git/annex/ferry/bundles/`); push adds one
 * bundle of what changed, or past `annex-max-git-bundles` (100) one bundle of everything.
 *
 * Two machines pushing at once: each re-reads the manifest before writing it and keeps the
 * other's new bundles, then reads it back and adds its bundle again if it was overwritten. What
 * remains: a ref both pushed in the same instant ends as the later bundle's; the other side sees
 * that on its next fetch, merges, and pushes the merge (its own commits are in its bundle either
 * way, so nothing is lost).
 */
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { FerryError } from '../errors';
import { ancestry, createBundle, importBundle, parseBundle } from '../git/bundle';
import type { GitContext } from '../git/context';
import { updateRemoteRefs, type FetchResult } from '../git/fetch-local';
import { getConfig, isAncestor as gitIsAncestor } from '../git/read';
import type { ObjectDatabase } from '../git/object-db';
import { isSafeRefName } from '../git/pack-service';
import type { PushOutcome, RefUpdate } from '../git/push-local';
import type { GitTransport } from '../remotes/remote';
import type { SpecialRemote } from '../remotes/special';

const PREFIX = 'refs/namespaces/git-remote-annex/';
const MAX_BUNDLE_BYTES = 1 << 30;

export interface Manifest {
  readonly bundles: readonly string[];
  readonly left: readonly string[];
}

/** More lines than any manifest git-annex or Ferry writes (100 bundles, then one): refused. */
const MAX_MANIFEST_LINES = 10_000;

export function parseManifest(text: string): Manifest {
  const bundles: string[] = [];
  const left: string[] = [];
  const lines = text.split('\n');
  if (lines.length > MAX_MANIFEST_LINES)
    throw new FerryError(
      'bad-object',
      `the remote's git manifest lists ${lines.length} bundles: refused`,
    );
  for (const line of lines) {
    if (!line) continue;
    const key = line.startsWith('-') ? line.slice(1) : line;
    if (!/^GITBUNDLE-s\d+--[0-9a-f-]{36}-[0-9a-f]{64}$/.test(key))
      throw new FerryError(
        'bad-object',
        "the remote's git manifest holds something that is not a bundle key",
      );
    (line.startsWith('-') ? left : bundles).push(key);
  }
  return { bundles, left };
}

export function formatManifest(m: Manifest): string {
  return [...m.bundles.map((k) => `${k}\n`), ...m.left.map((k) => `-${k}\n`)].join('');
}

export function bundleKey(uuid: string, data: Buffer): string {
  return `GITBUNDLE-s${data.length}--${uuid}-${createHash('sha256').update(data).digest('hex')}`;
}

/** The last manifest stamp each repository read or wrote of each remote (its own pushes are not news). */
const seenStamps = new Map<string, string>();

function slot(gitdir: string, uuid: string): string {
  return `${gitdir}\0${uuid}`;
}

export function lastManifestStamp(gitdir: string, uuid: string): string | undefined {
  return seenStamps.get(slot(gitdir, uuid));
}

/** Who wants to know that this process just used a remote's history (polling speeds up). */
const activity = new Map<string, Set<() => void>>();

export function onHistoryActivity(gitdir: string, uuid: string, listener: () => void): () => void {
  const set = activity.get(slot(gitdir, uuid)) ?? new Set<() => void>();
  set.add(listener);
  activity.set(slot(gitdir, uuid), set);
  return () => set.delete(listener);
}

export class SpecialHistory implements GitTransport {
  readonly takesBranch = true;
  private known: Set<string> | undefined;

  constructor(
    readonly name: string,
    readonly uuid: string,
    private readonly open: (local: GitContext) => Promise<SpecialRemote>,
  ) {}

  private get mainKey(): string {
    return `GITMANIFEST--${this.uuid}`;
  }

  private get bakKey(): string {
    return `${this.mainKey}.bak`;
  }

  annexUuid(): Promise<string | undefined> {
    return Promise.resolve(this.uuid);
  }

  /** The manifest (main, else the backup), or undefined when the remote holds no history. */
  /** `seenBy`: the repository that takes in what it lists now (a fetch), so its poller is quiet */
  async readManifest(remote: SpecialRemote, seenBy?: string): Promise<Manifest | undefined> {
    const stamp = seenBy ? await remote.stampOf(this.mainKey).catch(() => undefined) : undefined;
    const data = (await remote.fetchBytes(this.mainKey)) ?? (await remote.fetchBytes(this.bakKey));
    if (!data) return undefined;
    if (stamp && seenBy) seenStamps.set(slot(seenBy, this.uuid), stamp);
    const m = parseManifest(data.toString('utf8'));
    // a listed bundle that is gone (a push deleting everything raced us): the history is empty
    for (const k of m.bundles)
      if (!(await remote.hasKey(k))) return { bundles: [], left: [...m.bundles, ...m.left] };
    return m;
  }

  /** `seenBy`: the repository whose own write this is (nobody else's bundles were added) */
  private async writeManifest(
    remote: SpecialRemote,
    m: Manifest,
    tmp: string,
    seenBy: string | undefined,
  ): Promise<void> {
    const data = Buffer.from(formatManifest(m));
    const put = (k: string): Promise<void> => remote.putBytes(k, data, tmp);
    const dropPut = async (k: string): Promise<void> => {
      await remote.removeKey(k);
      await put(k);
    };
    // one of the two always exists, as git-annex keeps them
    if (await remote.hasKey(this.bakKey)) {
      await dropPut(this.mainKey);
      await dropPut(this.bakKey);
    } else {
      await put(this.bakKey);
      await dropPut(this.mainKey);
    }
    if (!seenBy) return;
    const stamp = await remote.stampOf(this.mainKey).catch(() => undefined);
    if (stamp) seenStamps.set(slot(seenBy, this.uuid), stamp);
  }

  private cacheDir(local: GitContext): string {
    return join(local.gitdir, 'annex', 'ferry', 'bundles', this.uuid);
  }

  /** The refs the remote's bundles hold, later ones overriding; each bundle imported once. */
  private async remoteRefs(
    remote: SpecialRemote,
    m: Manifest,
    local: GitContext,
    db: ObjectDatabase,
  ): Promise<{ refs: Map<string, string>; refused: FetchResult['refused']; objects: number }> {
    const refs = new Map<string, string>();
    const refused: FetchResult['refused'] = [];
    let objects = 0;
    await fsp.mkdir(this.cacheDir(local), { recursive: true });
    for (const key of m.bundles) {
      const cached = join(this.cacheDir(local), `${key}.json`);
      let got = await fsp
        .readFile(cached, 'utf8')
        .then((t) => JSON.parse(t) as { ref: string; oid: string }[])
        .catch(() => undefined);
      if (!got) {
        const data = await remote.fetchBytes(key);
        if (!data)
          throw new FerryError(
            'remote-unavailable',
            `${this.name} lists ${key} but does not have it`,
            { remote: this.name },
          );
        if (data.length > MAX_BUNDLE_BYTES || bundleKey(this.uuid, data) !== key)
          throw new FerryError('bad-object', `${this.name}'s ${key} does not match its checksum`, {
            remote: this.name,
          });
        const imported = await importBundle(local, db, parseBundle(data));
        objects += imported.complete.length;
        refused.push(
          ...imported.refused.map((r) => ({ ref: strip(this.uuid, r.ref), reason: r.reason })),
        );
        got = imported.complete.map((r) => ({ ref: strip(this.uuid, r.ref), oid: r.oid }));
        await fsp.writeFile(cached, JSON.stringify(got));
      }
      for (const r of got) if (isSafeRefName(r.ref)) refs.set(r.ref, r.oid);
    }
    return { refs, refused, objects };
  }

  async fetch(local: GitContext, localDb: ObjectDatabase): Promise<FetchResult> {
    const remote = await this.open(local);
    const m = await this.readManifest(remote, local.gitdir);
    if (!m) return { updated: [], objects: 0, refused: [] };
    const { refs, refused, objects } = await this.remoteRefs(remote, m, local, localDb);
    const heads = [...refs]
      .filter(([ref]) => ref.startsWith('refs/heads/'))
      .map(([ref, oid]) => ({ branch: ref.slice('refs/heads/'.length), oid }));
    const updated = await updateRemoteRefs(local, this.name, heads);
    return { updated, objects, refused };
  }

  async push(local: GitContext, updates: readonly RefUpdate[]): Promise<PushOutcome[]> {
    const remote = await this.open(local);
    const { ObjectDatabase } = await import('../git/object-db');
    const db = new ObjectDatabase(local.gitdir);
    const m = (await this.readManifest(remote)) ?? { bundles: [], left: [] };
    const { refs } = await this.remoteRefs(remote, m, local, db);
    const outcomes: PushOutcome[] = [];
    const accepted: { ref: string; oid: string }[] = [];
    let forced = false;
    for (const u of updates) {
      const current = refs.get(u.dst);
      if (current === u.src) {
        outcomes.push({ dst: u.dst, status: 'up-to-date' });
        continue;
      }
      if (current && !u.force && !(await isAncestor(local, current, u.src))) {
        outcomes.push({ dst: u.dst, status: 'rejected', reason: 'non-fast-forward' });
        continue;
      }
      if (current && u.force) forced = true;
      accepted.push({ ref: u.dst, oid: u.src });
      outcomes.push({ dst: u.dst, status: 'ok' });
    }
    if (accepted.length === 0) return outcomes;
    const max = Number(await getConfig(local, `remote.${this.name}.annex-max-git-bundles`)) || 100;
    const full = forced || m.bundles.length + 1 > max;
    const tips = [...new Set(refs.values())];
    this.known = full ? new Set() : await ancestry(local, tips, this.known ?? new Set());
    const merged = new Map(refs);
    for (const a of accepted) merged.set(a.ref, a.oid);
    const bundleRefs = (full ? [...merged].map(([ref, oid]) => ({ ref, oid })) : accepted).map(
      (r) => ({ ref: `${PREFIX}${this.uuid}/${r.ref}`, oid: r.oid }),
    );
    const data = await createBundle(local, bundleRefs, full ? [] : tips, this.known);
    const key = bundleKey(this.uuid, data);
    const tmp = join(local.gitdir, 'annex', 'tmp');
    if (!m.bundles.includes(key)) await remote.putBytes(key, data, tmp);
    await fsp.mkdir(this.cacheDir(local), { recursive: true });
    await fsp.writeFile(
      join(this.cacheDir(local), `${key}.json`),
      JSON.stringify(bundleRefs.map((r) => ({ ref: strip(this.uuid, r.ref), oid: r.oid }))),
    );
    for (let attempt = 0; attempt < 3; attempt++) {
      // re-read before writing: another machine's bundles pushed meanwhile are kept
      const now = (await this.readManifest(remote)) ?? { bundles: [], left: [] };
      const theirs = now.bundles.filter((k) => !m.bundles.includes(k) && k !== key);
      const next: Manifest = full
        ? { bundles: [key, ...theirs], left: [...new Set([...m.bundles, ...m.left, ...now.left])] }
        : { bundles: [...now.bundles.filter((k) => k !== key), key], left: now.left };
      // another machine's bundles kept: this repository has not taken them in, so it is news
      await this.writeManifest(remote, next, tmp, theirs.length === 0 ? local.gitdir : undefined);
      const check = await this.readManifest(remote);
      // someone wrote between our write and its stamp: what they added is news here
      if (check?.bundles.some((k) => !next.bundles.includes(k)))
        seenStamps.delete(slot(local.gitdir, this.uuid));
      if (check?.bundles.includes(key)) break;
    }
    await ancestry(
      local,
      accepted.map((a) => a.oid),
      this.known,
    );
    for (const l of activity.get(slot(local.gitdir, this.uuid)) ?? []) l();
    return outcomes;
  }
}

function strip(uuid: string, ref: string): string {
  const p = `${PREFIX}${uuid}/`;
  return ref.startsWith(p) ? ref.slice(p.length) : ref;
}

async function isAncestor(ctx: GitContext, ancestor: string, oid: string): Promise<boolean> {
  return gitIsAncestor(ctx, ancestor, oid).catch(() => false);
}
