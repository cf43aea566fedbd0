/**
 * A `directory` special remote's storage, as git-annex lays it out: `<dir>/<hashdirlower K>/K/K`,
 * written as `<dir>/tmp/K/K` and renamed into place, files 444 and their folder 555. The folder
 * may be a mounted share or drive: when it is not there the remote is down ("unplugged"), and
 * nothing is read or written through a symlink in the object paths.
 */
import { constants, createWriteStream, promises as fsp, statSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { hashDirLower, keyFile } from '../annex/paths';
import { errnoCode, FerryError } from '../errors';
import type { Availability } from '../remotes/remote';
import type { SpecialKind } from '../remotes/special-kind';
import type { PutOptions, SpecialStore } from './object-store';

export class DirectoryStore implements SpecialStore {
  constructor(
    readonly remote: string,
    readonly root: string,
  ) {}

  private where(name: string): string {
    const f = keyFile(name);
    return join(this.root, hashDirLower(name), f, f);
  }

  private tmp(name: string): string {
    const f = keyFile(name);
    return join(this.root, 'tmp', f, f);
  }

  availability(): Availability {
    return isDir(this.root)
      ? { state: 'up' }
      : {
          state: 'down',
          reason: 'unplugged',
          message: `${this.root} is not there (is the drive or share mounted?)`,
        };
  }

  probe(): Promise<void> {
    const a = this.availability();
    return a.state === 'down'
      ? Promise.reject(
          new FerryError('remote-unavailable', `remote "${this.remote}": ${a.message}`, {
            remote: this.remote,
          }),
        )
      : Promise.resolve();
  }

  async partial(name: string): Promise<number> {
    const st = await fsp.lstat(this.tmp(name)).catch(() => undefined);
    return st?.isFile() ? st.size : 0;
  }

  async put(
    name: string,
    bytes: AsyncIterable<Buffer>,
    o: PutOptions & { from?: number },
  ): Promise<void> {
    await this.probe();
    const tmp = this.tmp(name);
    await fsp.mkdir(dirname(tmp), { recursive: true });
    const from = o.from ?? 0;
    if (from > 0 && (await this.partial(name)) !== from)
      throw new FerryError('io-error', `the partial copy of ${name} in ${this.remote} changed`, {
        remote: this.remote,
      });
    if (from > 0) await fsp.truncate(tmp, from);
    const out = createWriteStream(tmp, { flags: from > 0 ? 'r+' : 'w', start: from, mode: 0o644 });
    try {
      await pipeline(Readable.from(bytes), out, { signal: o.signal });
    } catch (e) {
      throw diskError(e, this.remote, name);
    }
    const written = (await fsp.stat(tmp)).size;
    if (o.length !== undefined && written !== from + o.length)
      throw new FerryError(
        'io-error',
        `${this.remote} received ${written} bytes of ${name}, not ${from + o.length}`,
        { remote: this.remote },
      );
    const handle = await fsp.open(tmp, 'r');
    await handle.sync().finally(() => handle.close());
    const dest = this.where(name);
    const dir = dirname(dest);
    await fsp.mkdir(dir, { recursive: true });
    await fsp.chmod(dir, 0o755).catch(() => undefined);
    await fsp.chmod(tmp, 0o444);
    await fsp.rename(tmp, dest);
    await fsp.chmod(dir, 0o555);
    await fsp.rmdir(dirname(tmp)).catch(() => undefined);
  }

  async stamp(name: string): Promise<string | undefined> {
    const st = await fsp.lstat(this.where(name)).catch(() => undefined);
    return st?.isFile() ? `${st.size}:${st.mtimeMs}:${st.ino}` : undefined;
  }

  async has(name: string): Promise<boolean> {
    await this.probe();
    const st = await fsp.lstat(this.where(name)).catch(() => undefined);
    return st?.isFile() === true;
  }

  async get(name: string, signal?: AbortSignal): Promise<AsyncIterable<Buffer> | undefined> {
    await this.probe();
    let handle: fsp.FileHandle;
    try {
      handle = await fsp.open(this.where(name), constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch (e) {
      if (['ENOENT', 'ELOOP', 'ENOTDIR'].includes(errnoCode(e) ?? '')) return undefined;
      throw e;
    }
    if (!(await handle.stat()).isFile()) {
      await handle.close();
      return undefined;
    }
    return handle.createReadStream({ highWaterMark: 1 << 20, signal, autoClose: true });
  }

  async remove(name: string): Promise<void> {
    await this.probe();
    const dest = this.where(name);
    const dir = dirname(dest);
    await fsp.chmod(dir, 0o755).catch(() => undefined);
    await fsp.rm(dest, { force: true });
    await fsp.rmdir(dir).catch(() => undefined);
  }
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function diskError(e: unknown, remote: string, name: string): unknown {
  if (errnoCode(e) === 'ENOSPC')
    return new FerryError(
      'disk-full',
      `${remote} did not take ${name}: its disk is full; nothing was recorded there`,
      { remote },
      e,
    );
  return e;
}

/** The `directory` kind: `directory=` is kept in `.git/config` as `annex-directory`. */
export const DIRECTORY_KIND: SpecialKind = {
  kind: 'directory',
  type: 'directory',
  localParams: ['directory'],
  setup(ctx) {
    const dir = ctx.local.get('directory');
    if (!dir) throw new FerryError('usage', `say where the folder is: directory=/path/to/folder`);
    if (!isAbsolute(dir)) throw new FerryError('usage', `directory=${dir} must be a full path`);
    if (!isDir(dir)) throw new FerryError('not-a-folder', `${dir} is not a folder`, { path: dir });
    return Promise.resolve();
  },
  openStore: (ctx) => new DirectoryStore(ctx.name, ctx.local.get('directory') ?? ''),
  availability: (info) => new DirectoryStore(info.name, info.specialLocation ?? '').availability(),
};
