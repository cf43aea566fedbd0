/**
 * Reading git objects directly: a loose object is one read and an inflate, a packed one is
 * found through its pack's index (kept in memory, read again when the pack folder changes) and
 * read at its offset, deltas applied against a small cache of bases. isomorphic-git's reader
 * lists the pack folder, probes for the loose file and looks for the git directory again on
 * every call, which cost more than the objects did (a burst of 1,000 small files read about
 * 10,000 objects on each side). Every object read is checked as git checks a loose one: its
 * type, its size and the hash of it all. What is not found here (another layout) is left to
 * isomorphic-git.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, readSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import git from 'isomorphic-git';
import { errnoCode, FerryError } from '../errors';
import { cacheFor, type GitContext } from './context';
import type { ObjectType } from './object-writer';
import { applyDelta } from './pack-reader';

export interface RawObject {
  readonly type: ObjectType;
  readonly content: Buffer;
}

const TYPES: ReadonlySet<string> = new Set(['blob', 'tree', 'commit', 'tag']);
const PACK_TYPES: Readonly<Record<number, ObjectType>> = {
  1: 'commit',
  2: 'tree',
  3: 'blob',
  4: 'tag',
};
const OFS_DELTA = 6;
const REF_DELTA = 7;
/** Delta bases kept per repository (a chain of deltas reads each base once). */
const BASE_CACHE = 256;
/** An object this big or bigger is not kept as a base. */
const BASE_CACHE_MAX_BYTES = 1 << 20;

/**
 * The inflate output buffer sized to the object. zlib's default is 16 KiB, which a small object's
 * bytes then keep alive: reading the 20,000 small objects of a big whereis churned through
 * 300 MB of such buffers and held about 50 MB of them between collections.
 */
function outputChunk(expected: number): number {
  return Math.max(64, Math.min(16384, expected));
}

function corrupt(oid: string, why = 'is corrupt'): FerryError {
  return new FerryError('bad-object', `object ${oid} ${why}`, { oid });
}

function checked(oid: string, type: string, content: Buffer): RawObject {
  const head = Buffer.from(`${type} ${content.length}\0`, 'latin1');
  const hash = createHash('sha1').update(head).update(content).digest('hex');
  if (!TYPES.has(type) || hash !== oid) throw corrupt(oid);
  return { type: type as ObjectType, content };
}

/** A loose object, checked; undefined when there is no loose file for it. */
export function readLoose(gitdir: string, oid: string): RawObject | undefined {
  if (!/^[0-9a-f]{40}$/.test(oid)) return undefined;
  let data: Buffer;
  try {
    data = readFileSync(join(gitdir, 'objects', oid.slice(0, 2), oid.slice(2)));
  } catch {
    return undefined;
  }
  let raw: Buffer;
  try {
    raw = inflateSync(data, { chunkSize: outputChunk(data.length * 4) });
  } catch {
    throw corrupt(oid, 'is corrupt (it does not inflate)');
  }
  const nul = raw.indexOf(0);
  if (nul < 0) throw corrupt(oid);
  const [type = '', size] = raw.toString('latin1', 0, nul).split(' ');
  const content = raw.subarray(nul + 1);
  if (Number(size) !== content.length) throw corrupt(oid);
  return checked(oid, type, content);
}

interface Pack {
  readonly path: string;
  readonly fanout: Uint32Array;
  readonly oids: Buffer;
  /** each object's offset, in index order */
  readonly offsets: Float64Array;
  /** the offsets sorted: where each object ends is where the next begins */
  readonly sorted: Float64Array;
  readonly end: number;
  fd?: number;
}

function loadPack(idxPath: string, packPath: string): Pack | undefined {
  const buf = readFileSync(idxPath);
  if (buf.length < 8 + 1024 || buf.readUInt32BE(0) !== 0xff744f63 || buf.readUInt32BE(4) !== 2)
    return undefined;
  const fanout = new Uint32Array(256);
  for (let i = 0; i < 256; i++) fanout[i] = buf.readUInt32BE(8 + i * 4);
  const n = fanout[255] ?? 0;
  const oidsAt = 8 + 1024;
  const offsetsAt = oidsAt + n * 24; // oids, then one CRC each
  const largeAt = offsetsAt + n * 4;
  if (buf.length < largeAt + 40) return undefined;
  const offsets = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const o = buf.readUInt32BE(offsetsAt + i * 4);
    if (o & 0x80000000) {
      const at = largeAt + (o & 0x7fffffff) * 8;
      if (at + 8 > buf.length) return undefined;
      offsets[i] = Number(buf.readBigUInt64BE(at));
    } else offsets[i] = o;
  }
  const end = statSync(packPath).size - 20;
  const sorted = Float64Array.from(offsets).sort();
  return {
    path: packPath,
    fanout,
    oids: buf.subarray(oidsAt, oidsAt + n * 20),
    offsets,
    sorted,
    end,
  };
}

function indexOf(pack: Pack, oid: Buffer): number {
  const first = oid[0] ?? 0;
  let lo = first === 0 ? 0 : (pack.fanout[first - 1] ?? 0);
  let hi = (pack.fanout[first] ?? 0) - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const c = pack.oids.compare(oid, 0, 20, mid * 20, mid * 20 + 20);
    if (c === 0) return mid;
    // `c` compares the index's entry with the one looked for
    if (c > 0) hi = mid - 1;
    else lo = mid + 1;
  }
  return -1;
}

function endOf(pack: Pack, offset: number): number {
  let lo = 0;
  let hi = pack.sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = pack.sorted[mid] ?? 0;
    if (v <= offset) lo = mid + 1;
    else hi = mid - 1;
  }
  return lo < pack.sorted.length ? (pack.sorted[lo] ?? pack.end) : pack.end;
}

/** The packs of one object folder, and the bases of recent deltas. */
class PackSet {
  private packs: Pack[] = [];
  private stamp = -1;
  private readonly bases = new Map<string, { type: ObjectType; content: Buffer }>();

  constructor(private readonly gitdir: string) {}

  private refresh(force: boolean): void {
    const dir = join(this.gitdir, 'objects', 'pack');
    let stamp: number;
    try {
      stamp = statSync(dir).mtimeMs;
    } catch {
      stamp = 0;
    }
    if (stamp === this.stamp && !force) return;
    this.stamp = stamp;
    const known = new Map(this.packs.map((p) => [p.path, p]));
    const next: Pack[] = [];
    let names: string[] = [];
    try {
      names = readdirSync(dir).filter((n) => n.endsWith('.idx') && !n.startsWith('tmp'));
    } catch {
      // no pack folder
    }
    for (const name of names) {
      const packPath = join(dir, name.replace(/\.idx$/, '.pack'));
      const had = known.get(packPath);
      if (had) {
        next.push(had);
        known.delete(packPath);
        continue;
      }
      try {
        const pack = loadPack(join(dir, name), packPath);
        if (pack) next.push(pack);
      } catch {
        // a pack being written or removed: not one to read from
      }
    }
    for (const gone of known.values()) if (gone.fd !== undefined) closeSync(gone.fd);
    this.packs = next;
  }

  /**
   * The object from the packs known, or (`rescan`) after reading the pack folder again: git's
   * order (packs, then loose, then the packs again) makes a packed object cost no system call
   * to look up and one to read.
   */
  read(oid: string, rescan: boolean): RawObject | undefined {
    if (rescan || this.stamp === -1) this.refresh(rescan);
    const bin = Buffer.from(oid, 'hex');
    for (const pack of this.packs) {
      const i = indexOf(pack, bin);
      if (i < 0) continue;
      try {
        const { type, content } = this.at(pack, pack.offsets[i] ?? 0, oid, 0);
        return checked(oid, type, content);
      } catch (e) {
        // a pack removed since it was listed (repacked into another): look again
        if (errnoCode(e) !== 'ENOENT' || rescan) throw e;
        return this.read(oid, true);
      }
    }
    return undefined;
  }

  private readRange(pack: Pack, from: number, to: number, oid: string): Buffer {
    if (!(to > from) || to > pack.end) throw corrupt(oid, 'has a bad place in its pack');
    pack.fd ??= openSync(pack.path, 'r');
    const buf = Buffer.allocUnsafe(to - from);
    let got = 0;
    while (got < buf.length) {
      const n = readSync(pack.fd, buf, got, buf.length - got, from + got);
      if (n === 0) throw corrupt(oid, 'is cut short in its pack');
      got += n;
    }
    return buf;
  }

  private at(pack: Pack, offset: number, oid: string, depth: number): RawObject {
    if (depth > 64) throw corrupt(oid, 'has too long a delta chain');
    const cacheKey = `${pack.path}:${offset}`;
    const cached = this.bases.get(cacheKey);
    if (cached) return cached;
    const buf = this.readRange(pack, offset, endOf(pack, offset), oid);
    let pos = 0;
    let c = buf[pos++] ?? 0;
    const code = (c >> 4) & 7;
    let size = c & 15;
    let shift = 4;
    while (c & 0x80) {
      if (pos >= buf.length) throw corrupt(oid);
      c = buf[pos++] ?? 0;
      size += (c & 0x7f) * 2 ** shift;
      shift += 7;
    }
    let base: RawObject | undefined;
    if (code === OFS_DELTA) {
      c = buf[pos++] ?? 0;
      let back = c & 0x7f;
      while (c & 0x80) {
        if (pos >= buf.length) throw corrupt(oid);
        c = buf[pos++] ?? 0;
        back = (back + 1) * 128 + (c & 0x7f);
      }
      if (back <= 0 || back > offset) throw corrupt(oid, 'names a delta base outside its pack');
      base = this.at(pack, offset - back, oid, depth + 1);
    } else if (code === REF_DELTA) {
      const baseOid = buf.toString('hex', pos, pos + 20);
      pos += 20;
      base = readObjectSync(this.gitdir, baseOid, this);
      if (!base) throw corrupt(oid, `names a delta base ${baseOid} that is not here`);
    } else if (!PACK_TYPES[code]) throw corrupt(oid, 'has an unknown type in its pack');
    let data: Buffer;
    try {
      data = inflateSync(buf.subarray(pos), { chunkSize: outputChunk(size + 1) });
    } catch {
      throw corrupt(oid, 'is corrupt in its pack (it does not inflate)');
    }
    if (data.length !== size) throw corrupt(oid);
    const out: RawObject = base
      ? { type: base.type, content: applyDelta(base.content, data) }
      : { type: PACK_TYPES[code] as ObjectType, content: data };
    if (out.content.length < BASE_CACHE_MAX_BYTES) {
      if (this.bases.size >= BASE_CACHE) {
        const oldest = this.bases.keys().next().value;
        if (oldest !== undefined) this.bases.delete(oldest);
      }
      this.bases.set(cacheKey, out);
    }
    return out;
  }
}

const packSets = new Map<string, PackSet>();

function packSetOf(gitdir: string): PackSet {
  let set = packSets.get(gitdir);
  if (!set) {
    if (packSets.size >= 64) packSets.clear();
    packSets.set(gitdir, (set = new PackSet(gitdir)));
  }
  return set;
}

function readObjectSync(gitdir: string, oid: string, packs: PackSet): RawObject | undefined {
  if (!/^[0-9a-f]{40}$/.test(oid)) return undefined;
  return packs.read(oid, false) ?? readLoose(gitdir, oid) ?? packs.read(oid, true);
}

/** An object of the repository, loose or packed, checked. */
export async function readRaw(ctx: GitContext, oid: string): Promise<RawObject> {
  const found = readObjectSync(ctx.gitdir, oid, packSetOf(ctx.gitdir));
  if (found) return found;
  const { type, object } = await git.readObject({
    fs: ctx.fs,
    gitdir: ctx.gitdir,
    oid,
    format: 'content',
    cache: cacheFor(ctx),
  });
  return { type: type as ObjectType, content: Buffer.from(object as Uint8Array) };
}
