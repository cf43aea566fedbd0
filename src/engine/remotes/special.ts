/**
 * A git-annex special remote as a `Remote`, whatever stores its objects (`special/*-store.ts`):
 * keys named as git-annex names them (plain, chunk keys, or `GPGHMACSHA1--` with
 * `encryption=shared`), chunked as `chunk=` says with the chunk log kept as git-annex keeps it,
 * content sealed and opened with the shared cipher, every byte received through the one
 * verifier. A store that cannot lock its copies (none of these can) is held in this process:
 * a copy standing in for a drop here is not removed by this Ferry meanwhile.
 */
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { basename, join } from 'node:path';
import { keyFile } from '../annex/paths';
import { fileBytes } from './file-bytes';
import { AnnexBranch } from '../annex/branch';
import { keyHasher, matchesKey } from '../annex/object-store';
import { parseKey } from '../annex/key';
import { receiveFromFile, type ObjectSource, type StreamSource } from '../annex/receive';
import type { Repository } from '../annex/repository';
import { FerryError, isFerryError } from '../errors';
import { chunkKeys, chunkingsOf, recordChunks } from '../special/chunks';
import type { Encryption } from '../special/encryption';
import type { SpecialStore } from '../special/object-store';
import type { RemoteInfo } from './git-remotes';
import type { Availability, ContentLock, MoveOptions, Remote, RemoteKind } from './remote';

/** A key of git history carried by the remote (git-remote-annex's GITBUNDLE and GITMANIFEST). */
export function isGitObjectKey(key: string): boolean {
  return key.startsWith('GITBUNDLE-') || key.startsWith('GITMANIFEST-');
}

/** How a key sits in the store: unchunked, or as chunks of a size. */
type Layout = { readonly chunkSize: 0 } | { readonly chunkSize: number; readonly count: number };

export class SpecialRemote implements Remote {
  readonly name: string;
  readonly cost: number;
  private readonly branch: AnnexBranch;
  private readonly held = new Map<string, number>();

  constructor(
    readonly kind: RemoteKind,
    readonly info: RemoteInfo,
    readonly uuid: string,
    base: Repository,
    readonly objects: SpecialStore,
    private readonly encryption: Encryption,
    /** `chunk=` in bytes; 0: unchunked */
    readonly chunkSize: number,
  ) {
    this.name = info.name;
    this.cost = info.cost;
    this.branch = new AnnexBranch(base);
  }

  availability(): Availability {
    return this.objects.availability();
  }

  private name_(key: string): string {
    return this.encryption.nameOf(key);
  }

  /** The layouts to look for a key in: what the chunk log says, then unchunked and `chunk=`. */
  private async layouts(key: string): Promise<Layout[]> {
    const out: Layout[] = [];
    for (const [chunkSize, count] of await chunkingsOf(this.branch, key, this.uuid))
      out.push({ chunkSize, count });
    out.push({ chunkSize: 0 });
    if (
      this.chunkSize > 0 &&
      parseKey(key)?.size !== undefined &&
      !out.some((l) => l.chunkSize === this.chunkSize)
    )
      out.push({ chunkSize: this.chunkSize, count: chunkKeys(key, this.chunkSize).length });
    return out;
  }

  private namesOf(key: string, layout: Layout): { name: string; length: number }[] {
    if (layout.chunkSize === 0)
      return [{ name: this.name_(key), length: parseKey(key)?.size ?? -1 }];
    return chunkKeys(key, layout.chunkSize).map((c) => ({
      name: this.name_(c.key),
      length: c.length,
    }));
  }

  /** The layout the key is stored in, or undefined when the store lacks it. */
  private async find(key: string): Promise<Layout | undefined> {
    for (const layout of await this.layouts(key)) {
      const names = this.namesOf(key, layout);
      let all = true;
      for (const n of names) if (!(all = await this.objects.has(n.name))) break;
      if (all) return layout;
    }
    return undefined;
  }

  async hasKey(key: string): Promise<boolean> {
    return (await this.find(key)) !== undefined;
  }

  async lockContent(key: string): Promise<ContentLock | undefined> {
    if (!(await this.hasKey(key))) return undefined;
    this.held.set(key, (this.held.get(key) ?? 0) + 1);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        const n = (this.held.get(key) ?? 1) - 1;
        if (n > 0) this.held.set(key, n);
        else this.held.delete(key);
      },
    };
  }

  async checkCopy(key: string, thorough: boolean): Promise<boolean> {
    const layout = await this.find(key);
    if (!layout) return false;
    if (!thorough) return true;
    const hasher = keyHasher(key);
    let size = 0;
    try {
      for await (const b of this.plainBytes(key, layout, 0)) {
        hasher?.update(b);
        size += b.length;
      }
    } catch (e) {
      if (isFerryError(e, 'content-missing') || isFerryError(e, 'checksum-mismatch')) return false;
      throw e;
    }
    return matchesKey(key, hasher?.digest('hex'), size);
  }

  async store(key: string, source: ObjectSource, options: MoveOptions = {}): Promise<void> {
    if (typeof source === 'object' && 'open' in source)
      throw new FerryError('usage', 'a special remote stores from a file');
    const path = typeof source === 'string' ? source : source.path;
    const size = parseKey(key)?.size;
    if (this.chunkSize > 0 && size !== undefined) {
      const chunks = chunkKeys(key, this.chunkSize);
      // resume: the chunks already there, up to the first missing one, are not sent again
      let first = 0;
      while (
        first < chunks.length &&
        (await this.objects.has(this.name_(chunks[first]?.key ?? '')))
      )
        first++;
      let offset = chunks.slice(0, first).reduce((n, c) => n + c.length, 0);
      for (const c of chunks.slice(first)) {
        await this.putRange(this.name_(c.key), path, offset, c.length, 0, options);
        offset += c.length;
      }
      if (first === chunks.length) options.onProgress?.(offset);
      // git history objects (bundles, manifests) are not logged, as git-annex does not log them
      if (!isGitObjectKey(key))
        await recordChunks(this.branch, key, this.uuid, this.chunkSize, chunks.length);
      return;
    }
    const name = this.name_(key);
    if (
      this.objects.putFile &&
      this.encryption.mode === 'none' &&
      basename(path) === keyFile(name)
    ) {
      options.onProgress?.(0);
      await this.objects.putFile(name, path, options.onProgress, options.signal);
      options.onProgress?.(size ?? 0);
      return;
    }
    const length = size ?? (await import('node:fs/promises').then((m) => m.stat(path))).size;
    const from =
      this.encryption.mode === 'none' && this.objects.partial
        ? await this.objects.partial(name)
        : 0;
    await this.putRange(name, path, 0, length, from > 0 && from < length ? from : 0, options);
  }

  /** Puts `length` bytes of the file at `start` (from `from` of them on) as one object. */
  private async putRange(
    name: string,
    path: string,
    start: number,
    length: number,
    from: number,
    o: MoveOptions,
  ): Promise<void> {
    const plain = fileBytes(path, start + from, length - from, o);
    const sealed = this.encryption.seal(plain);
    await this.objects.put(name, sealed, {
      signal: o.signal,
      length: this.encryption.mode === 'none' ? length - from : undefined,
      from,
    });
  }

  /** The key's clear bytes from `offset`, chunk by chunk. */
  private plainBytes(key: string, layout: Layout, offset: number): AsyncIterable<Buffer> {
    const names = this.namesOf(key, layout);
    const store = this.objects;
    const encryption = this.encryption;
    const remote = this.name;
    async function* bytes(): AsyncGenerator<Buffer> {
      let at = 0;
      for (const n of names) {
        const end = at + n.length;
        if (n.length >= 0 && end <= offset) {
          at = end;
          continue;
        }
        const stored = await store.get(n.name);
        if (!stored)
          throw new FerryError('content-missing', `${n.name} is missing from the remote`);
        let skip = Math.max(0, offset - at);
        try {
          for await (const b of encryption.open(stored)) {
            if (skip >= b.length) {
              skip -= b.length;
              continue;
            }
            yield skip > 0 ? b.subarray(skip) : b;
            skip = 0;
          }
        } catch (e) {
          // bytes that fail their integrity check: nothing received from them is kept
          if (isFerryError(e, 'bad-object'))
            throw new FerryError(
              'checksum-mismatch',
              `${remote}'s copy of ${key} does not match its checksum (${e.message})`,
              { remote, key },
              e,
            );
          throw e;
        } finally {
          (stored as { destroy?: () => void }).destroy?.();
        }
        at = end;
      }
    }
    return bytes();
  }

  async retrieve(key: string, into: Repository, options: MoveOptions = {}): Promise<boolean> {
    // no request asks first: each layout is tried by getting it (a missing first object is
    // cheap), which also serves stores that cannot say whether they have a key
    for (const layout of await this.layouts(key)) {
      const source: StreamSource = {
        open: (offset) => Promise.resolve(this.plainBytes(key, layout, offset)),
      };
      try {
        await receiveFromFile(into, key, source, options);
        return true;
      } catch (e) {
        if (!isFerryError(e, 'content-missing')) throw e;
      }
    }
    return false;
  }

  async remove(key: string, check: () => Promise<void>): Promise<boolean> {
    if (this.held.has(key))
      throw new FerryError(
        'lock-busy',
        `${this.name}'s copy of ${key} is locked: it stands in for a copy being dropped`,
        {
          remote: this.name,
          key,
        },
      );
    await check();
    for (const layout of await this.layouts(key)) {
      for (const n of this.namesOf(key, layout)) await this.objects.remove(n.name);
      if (layout.chunkSize > 0 && 'count' in layout)
        await recordChunks(this.branch, key, this.uuid, layout.chunkSize, 0).catch(() => undefined);
    }
    return true;
  }

  /** A whole object's clear bytes (git history objects: small), or undefined when absent. */
  async fetchBytes(key: string): Promise<Buffer | undefined> {
    const layout = await this.find(key);
    if (!layout) return undefined;
    const parts: Buffer[] = [];
    for await (const b of this.plainBytes(key, layout, 0)) parts.push(b);
    return Buffer.concat(parts);
  }

  /** Stores bytes as `key` (chunked and encrypted as any key), logging nothing. */
  async putBytes(key: string, data: Buffer, tmpDir: string): Promise<void> {
    const dir = join(tmpDir, randomBytes(6).toString('hex'));
    const file = join(dir, keyFile(key));
    await fsp.mkdir(dir, { recursive: true });
    try {
      await fsp.writeFile(file, data);
      await this.store(key, file);
    } finally {
      await fsp.rm(dir, { recursive: true, force: true });
    }
  }

  /** Removes every stored layout of `key`, with no copy counting (git history objects only). */
  async removeKey(key: string): Promise<void> {
    for (const layout of await this.layouts(key))
      for (const n of this.namesOf(key, layout)) await this.objects.remove(n.name);
  }

  /** A cheap marker of the object's current version (its ETag, mtime), where the store has one. */
  async stampOf(key: string): Promise<string | undefined> {
    return this.objects.stamp?.(this.name_(key));
  }

  async close(): Promise<void> {
    await this.objects.close?.();
  }
}
