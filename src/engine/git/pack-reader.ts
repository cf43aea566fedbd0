/**
 * Reading a whole git pack (version 2 or 3) in memory: every object with its type and bytes,
 * deltas resolved (OFS_DELTA within the pack, REF_DELTA also against objects the repository
 * already has: a bundle's pack is thin). Nothing here trusts the pack: sizes, offsets and
 * delta instructions are bounds-checked, and the trailing checksum must match.
 */
import { createHash } from 'node:crypto';
import { inflateSync } from 'node:zlib';
import { FerryError } from '../errors';
import { hashObject, type ObjectType } from './object-writer';

const TYPES: Readonly<Record<number, ObjectType>> = { 1: 'commit', 2: 'tree', 3: 'blob', 4: 'tag' };
const OFS_DELTA = 6;
const REF_DELTA = 7;

export interface PackObject {
  readonly oid: string;
  readonly type: ObjectType;
  readonly content: Buffer;
}

function bad(message: string): FerryError {
  return new FerryError('bad-object', `a pack that cannot be read: ${message}`);
}

/** Applies a git delta to its base. */
export function applyDelta(base: Buffer, delta: Buffer): Buffer {
  let pos = 0;
  const varint = (): number => {
    let n = 0;
    let shift = 0;
    for (;;) {
      if (pos >= delta.length) throw bad('a delta ends early');
      const b = delta[pos++] ?? 0;
      n += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if ((b & 0x80) === 0) return n;
    }
  };
  if (varint() !== base.length) throw bad('a delta names a base of another size');
  const size = varint();
  const out = Buffer.alloc(size);
  let at = 0;
  while (pos < delta.length) {
    const op = delta[pos++] ?? 0;
    if (op & 0x80) {
      let off = 0;
      let len = 0;
      for (let i = 0; i < 4; i++) if (op & (1 << i)) off += (delta[pos++] ?? 0) * 2 ** (8 * i);
      for (let i = 0; i < 3; i++)
        if (op & (1 << (4 + i))) len += (delta[pos++] ?? 0) * 2 ** (8 * i);
      if (len === 0) len = 0x10000;
      if (off + len > base.length || at + len > size) throw bad('a delta copies out of bounds');
      base.copy(out, at, off, off + len);
      at += len;
    } else if (op > 0) {
      if (pos + op > delta.length || at + op > size) throw bad('a delta inserts out of bounds');
      delta.copy(out, at, pos, pos + op);
      pos += op;
      at += op;
    } else throw bad('a delta holds a reserved instruction');
  }
  if (at !== size) throw bad('a delta makes fewer bytes than it says');
  return out;
}

interface Raw {
  readonly offset: number;
  readonly code: number;
  readonly data: Buffer;
  readonly baseOffset?: number;
  readonly baseOid?: string;
}

/**
 * Every object of the pack. `external` gives an object the repository has (for a thin pack's
 * REF_DELTA bases), or undefined.
 */
export async function readPack(
  pack: Buffer,
  external: (oid: string) => Promise<{ type: ObjectType; content: Buffer } | undefined>,
): Promise<PackObject[]> {
  if (pack.length < 32 || pack.toString('latin1', 0, 4) !== 'PACK') throw bad('no PACK header');
  const version = pack.readUInt32BE(4);
  if (version !== 2 && version !== 3) throw bad(`version ${version}`);
  const count = pack.readUInt32BE(8);
  const body = pack.subarray(0, pack.length - 20);
  if (
    !createHash('sha1')
      .update(body)
      .digest()
      .equals(pack.subarray(pack.length - 20))
  )
    throw bad('its checksum does not match');
  const raws: Raw[] = [];
  let pos = 12;
  for (let i = 0; i < count; i++) {
    const offset = pos;
    if (pos >= body.length) throw bad('it holds fewer objects than it says');
    let b = body[pos++] ?? 0;
    const code = (b >> 4) & 7;
    while (b & 0x80) b = body[pos++] ?? 0; // the size: inflating tells it
    let baseOffset: number | undefined;
    let baseOid: string | undefined;
    if (code === OFS_DELTA) {
      b = body[pos++] ?? 0;
      let back = b & 0x7f;
      while (b & 0x80) {
        b = body[pos++] ?? 0;
        back = (back + 1) * 128 + (b & 0x7f);
      }
      baseOffset = offset - back;
      if (baseOffset < 12 || baseOffset >= offset) throw bad('a delta base lies outside the pack');
    } else if (code === REF_DELTA) {
      baseOid = body.toString('hex', pos, pos + 20);
      pos += 20;
    } else if (!TYPES[code]) throw bad(`object type ${code}`);
    let inflated: { buffer: Buffer; engine: { bytesWritten: number } };
    try {
      inflated = inflateSync(body.subarray(pos), { info: true }) as unknown as typeof inflated;
    } catch (e) {
      throw bad(`an object does not inflate (${(e as Error).message})`);
    }
    pos += inflated.engine.bytesWritten;
    raws.push({ offset, code, data: inflated.buffer, baseOffset, baseOid });
  }
  const byOffset = new Map(raws.map((r) => [r.offset, r]));
  const resolved = new Map<number, { type: ObjectType; content: Buffer }>();
  const byOid = new Map<string, { type: ObjectType; content: Buffer }>();
  const resolve = async (r: Raw, depth: number): Promise<{ type: ObjectType; content: Buffer }> => {
    const done = resolved.get(r.offset);
    if (done) return done;
    if (depth > 4096) throw bad('a delta chain is too long');
    let out: { type: ObjectType; content: Buffer };
    if (r.code === OFS_DELTA || r.code === REF_DELTA) {
      let base: { type: ObjectType; content: Buffer } | undefined;
      if (r.baseOffset !== undefined) {
        const raw = byOffset.get(r.baseOffset);
        if (!raw) throw bad('a delta base is not an object of the pack');
        base = await resolve(raw, depth + 1);
      } else {
        const oid = r.baseOid ?? '';
        base = byOid.get(oid);
        if (!base) {
          const inPack = raws.find(
            (x) => x.code !== OFS_DELTA && x.code !== REF_DELTA && x !== r && hashOf(x) === oid,
          );
          base = inPack ? await resolve(inPack, depth + 1) : await external(oid);
        }
        if (!base) throw bad(`a delta base (${oid}) is neither in the pack nor here`);
      }
      out = { type: base.type, content: applyDelta(base.content, r.data) };
    } else out = { type: TYPES[r.code] as ObjectType, content: r.data };
    resolved.set(r.offset, out);
    byOid.set(hashObject(out.type, out.content), out);
    return out;
  };
  const hashes = new Map<Raw, string>();
  const hashOf = (x: Raw): string => {
    let h = hashes.get(x);
    if (!h) {
      h = hashObject(TYPES[x.code] as ObjectType, x.data);
      hashes.set(x, h);
    }
    return h;
  };
  const out: PackObject[] = [];
  for (const r of raws) {
    const o = await resolve(r, 0);
    out.push({ oid: hashObject(o.type, o.content), type: o.type, content: o.content });
  }
  return out;
}
