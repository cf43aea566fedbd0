/**
 * Writes git objects fast with node:zlib and node:crypto (isomorphic-git's writeObject deflates
 * through web streams at about 2 ms per object). Small batches go out as loose objects; large
 * batches as one pack with a version 2 index, which is what git itself does on fetch.
 */
import { createHash, randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { makeParentDirs } from '../os/safe-path';
import { assertGitDirPresent } from './context';

export type ObjectType = 'blob' | 'tree' | 'commit' | 'tag';

const TYPE_CODES: Record<ObjectType, number> = { commit: 1, tree: 2, blob: 3, tag: 4 };

/**
 * zlib options sized to the object: a full 32 KiB window and 128 KiB of state per call is what
 * makes thousands of small deflates balloon the process (each context lives until a GC).
 */
function deflateOptions(size: number): {
  level: number;
  windowBits: number;
  memLevel: number;
  chunkSize: number;
} {
  const windowBits = Math.max(9, Math.min(15, Math.ceil(Math.log2(size + 300))));
  // Output buffers sized to the object: the default 16 KiB chunk per call is garbage that piles
  // up faster than the collector frees it when thousands of small objects are written.
  const chunkSize = Math.max(64, Math.min(16384, size + 128));
  return { level: 1, windowBits, memLevel: size < 65536 ? 2 : 8, chunkSize };
}

export function deflateObject(data: Uint8Array): Buffer {
  return deflateSync(data, deflateOptions(data.byteLength));
}

export function hashObject(type: ObjectType, content: Uint8Array): string {
  const header = Buffer.from(`${type} ${content.byteLength}\0`);
  return createHash('sha1').update(header).update(content).digest('hex');
}

interface Pending {
  readonly oid: string;
  readonly type: ObjectType;
  readonly content: Uint8Array;
}

/** Collects objects, then flushes them to the object database in one go. */
export class ObjectBatch {
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly gitdir: string,
    private readonly packThreshold = 64,
    /** another repository's object folders: made or checked one at a time, never through a link */
    private readonly untrusted = false,
  ) {}

  get size(): number {
    return this.pending.size;
  }

  add(type: ObjectType, content: Uint8Array | string): string {
    const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    const oid = hashObject(type, bytes);
    if (!this.pending.has(oid)) this.pending.set(oid, { oid, type, content: bytes });
    return oid;
  }

  /** Writes everything added so far. Objects become visible only once fully written. */
  async flush(): Promise<void> {
    const items = [...this.pending.values()];
    this.pending.clear();
    if (items.length === 0) return;
    if (items.length >= this.packThreshold) {
      if (this.untrusted) await makeParentDirs(this.gitdir, 'objects/pack/x');
      await writePack(this.gitdir, items);
    } else {
      if (this.untrusted) {
        for (const dir of new Set(items.map((i) => i.oid.slice(0, 2))))
          await makeParentDirs(this.gitdir, `objects/${dir}/x`);
      }
      await Promise.all(items.map((item) => writeLoose(this.gitdir, item)));
    }
  }
}

async function writeLoose(gitdir: string, item: Pending): Promise<void> {
  const dir = join(gitdir, 'objects', item.oid.slice(0, 2));
  const file = join(dir, item.oid.slice(2));
  try {
    await fsp.access(file);
    return;
  } catch {
    // not there yet
  }
  assertGitDirPresent(gitdir);
  await fsp.mkdir(dir, { recursive: true });
  const header = Buffer.from(`${item.type} ${item.content.byteLength}\0`);
  const data = deflateObject(Buffer.concat([header, item.content]));
  // git's own temporary name: git fsck passes over it and git prune removes it after a crash
  const tmp = join(dir, `tmp_obj_${process.pid}_${randomSuffix()}`);
  await fsp.writeFile(tmp, data, { mode: 0o444, flag: 'wx' });
  await fsp.rename(tmp, file);
}

function randomSuffix(): string {
  return randomBytes(6).toString('hex');
}

function packEntryHeader(type: ObjectType, size: number): Buffer {
  const bytes: number[] = [];
  let byte = (TYPE_CODES[type] << 4) | (size & 0x0f);
  let rest = Math.floor(size / 16);
  while (rest > 0) {
    bytes.push(byte | 0x80);
    byte = rest & 0x7f;
    rest = Math.floor(rest / 128);
  }
  bytes.push(byte);
  return Buffer.from(bytes);
}

/** A version 2 pack of whole objects (no deltas), with each entry's offset and CRC. */
function packData(items: readonly Pending[]): {
  chunks: Buffer[];
  entries: { oid: string; offset: number; crc: number }[];
  packSum: Buffer;
  offset: number;
} {
  const chunks: Buffer[] = [];
  const header = Buffer.alloc(12);
  header.write('PACK', 0, 'latin1');
  header.writeUInt32BE(2, 4);
  header.writeUInt32BE(items.length, 8);
  chunks.push(header);
  let offset = 12;
  const entries: { oid: string; offset: number; crc: number }[] = [];
  for (const item of items) {
    const head = packEntryHeader(item.type, item.content.byteLength);
    const body = deflateObject(item.content);
    const crc = crc32(body, crc32(head));
    entries.push({ oid: item.oid, offset, crc });
    chunks.push(head, body);
    offset += head.length + body.length;
  }
  const packHash = createHash('sha1');
  for (const c of chunks) packHash.update(c);
  const packSum = packHash.digest();
  chunks.push(packSum);
  return { chunks, entries, packSum, offset };
}

/** The bytes of a pack holding these objects (for a bundle). */
export function packOf(objects: readonly { type: ObjectType; content: Uint8Array }[]): Buffer {
  const items = objects.map((o) => ({ ...o, oid: hashObject(o.type, o.content) }));
  return Buffer.concat(packData(items).chunks);
}

async function writePack(gitdir: string, items: Pending[]): Promise<void> {
  const packDir = join(gitdir, 'objects', 'pack');
  assertGitDirPresent(gitdir);
  await fsp.mkdir(packDir, { recursive: true });
  const { chunks, entries, packSum, offset } = packData(items);
  if (offset >= 0x80000000) throw new Error('pack too large for a 32-bit index');

  entries.sort((a, b) => (a.oid < b.oid ? -1 : a.oid > b.oid ? 1 : 0));
  const n = entries.length;
  const idx = Buffer.alloc(8 + 256 * 4 + n * 20 + n * 4 + n * 4 + 20 + 20);
  idx.writeUInt32BE(0xff744f63, 0);
  idx.writeUInt32BE(2, 4);
  let pos = 8;
  const fanout = new Array<number>(256).fill(0);
  for (const e of entries) fanout[parseInt(e.oid.slice(0, 2), 16)]! += 1;
  let running = 0;
  for (let i = 0; i < 256; i++) {
    running += fanout[i] ?? 0;
    idx.writeUInt32BE(running, pos);
    pos += 4;
  }
  for (const e of entries) {
    idx.write(e.oid, pos, 'hex');
    pos += 20;
  }
  for (const e of entries) {
    idx.writeUInt32BE(e.crc >>> 0, pos);
    pos += 4;
  }
  for (const e of entries) {
    idx.writeUInt32BE(e.offset, pos);
    pos += 4;
  }
  packSum.copy(idx, pos);
  pos += 20;
  createHash('sha1').update(idx.subarray(0, pos)).digest().copy(idx, pos);

  const name = `pack-${packSum.toString('hex')}`;
  // git's own temporary names (no .pack/.idx ending): a crash before the renames leaves files
  // git never opens as a pack, and git prune removes them
  const suffix = `${process.pid}_${randomSuffix()}`;
  const tmpPack = join(packDir, `tmp_pack_${suffix}`);
  const tmpIdx = join(packDir, `tmp_idx_${suffix}`);
  await fsp.writeFile(tmpPack, Buffer.concat(chunks), { mode: 0o444, flag: 'wx' });
  await fsp.writeFile(tmpIdx, idx, { mode: 0o444, flag: 'wx' });
  // The pack first: git only looks at packs that have an index.
  await fsp.rename(tmpPack, join(packDir, `${name}.pack`));
  await fsp.rename(tmpIdx, join(packDir, `${name}.idx`));
}

/** Serializes a tree object from entries (sorted as git sorts them). */
export interface TreeEntry {
  readonly mode: string;
  readonly path: string;
  readonly oid: string;
  readonly type: 'blob' | 'tree' | 'commit';
}

function treeSortKey(e: TreeEntry): Buffer {
  return Buffer.from(e.type === 'tree' ? `${e.path}/` : e.path, 'utf8');
}

export function serializeTree(entries: readonly TreeEntry[]): Buffer {
  const sorted = [...entries].sort((a, b) => Buffer.compare(treeSortKey(a), treeSortKey(b)));
  const parts: Buffer[] = [];
  for (const e of sorted) {
    const mode = e.mode.replace(/^0+/, '');
    parts.push(Buffer.from(`${mode} ${e.path}\0`, 'utf8'), Buffer.from(e.oid, 'hex'));
  }
  return Buffer.concat(parts);
}

export interface CommitFields {
  readonly tree: string;
  readonly parents: readonly string[];
  readonly author: Signature;
  readonly committer: Signature;
  readonly message: string;
}

export interface Signature {
  readonly name: string;
  readonly email: string;
  /** seconds since the epoch */
  readonly timestamp: number;
  /** minutes, as git's Date#getTimezoneOffset sign convention: UTC+1 is -60 */
  readonly timezoneOffset: number;
}

function formatSignature(s: Signature): string {
  const minutes = -s.timezoneOffset;
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  const tz = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
  return `${s.name} <${s.email}> ${s.timestamp} ${tz}`;
}

export function serializeCommit(c: CommitFields): string {
  let out = `tree ${c.tree}\n`;
  for (const p of c.parents) out += `parent ${p}\n`;
  out += `author ${formatSignature(c.author)}\ncommitter ${formatSignature(c.committer)}\n\n${c.message}`;
  return out;
}
