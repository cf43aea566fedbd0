/**
 * Which objects a repository has, answered from loose object files and pack indexes read
 * directly (version 2 .idx: fanout table, then sorted object ids). Used by the local transport
 * to send only what the other side lacks.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

interface PackIndex {
  readonly name: string;
  readonly count: number;
  readonly fanout: Uint32Array;
  readonly oids: Buffer;
}

function readPackIndex(path: string, name: string): PackIndex | undefined {
  const buf = readFileSync(path);
  if (buf.readUInt32BE(0) !== 0xff744f63 || buf.readUInt32BE(4) !== 2) return undefined;
  const fanout = new Uint32Array(256);
  for (let i = 0; i < 256; i++) fanout[i] = buf.readUInt32BE(8 + i * 4);
  const count = fanout[255] ?? 0;
  const start = 8 + 1024;
  return { name, count, fanout, oids: buf.subarray(start, start + count * 20) };
}

function indexHas(idx: PackIndex, oid: Buffer): boolean {
  const first = oid[0] ?? 0;
  let lo = first === 0 ? 0 : (idx.fanout[first - 1] ?? 0);
  let hi = (idx.fanout[first] ?? 0) - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const c = idx.oids.compare(oid, 0, 20, mid * 20, mid * 20 + 20);
    if (c === 0) return true;
    if (c > 0) hi = mid - 1;
    else lo = mid + 1;
  }
  return false;
}

export class ObjectDatabase {
  private packs = new Map<string, PackIndex>();
  private packDirStamp = -1;

  constructor(readonly gitdir: string) {}

  private refreshPacks(): void {
    const dir = join(this.gitdir, 'objects', 'pack');
    let stamp: number;
    try {
      stamp = statSync(dir).mtimeMs;
    } catch {
      this.packs.clear();
      return;
    }
    if (stamp === this.packDirStamp) return;
    this.packDirStamp = stamp;
    const names = readdirSync(dir).filter((n) => n.endsWith('.idx') && !n.startsWith('tmp-'));
    const next = new Map<string, PackIndex>();
    for (const name of names) {
      const known = this.packs.get(name);
      if (known) next.set(name, known);
      else if (existsSync(join(dir, name.replace(/\.idx$/, '.pack')))) {
        const idx = readPackIndex(join(dir, name), name);
        if (idx) next.set(name, idx);
      }
    }
    this.packs = next;
  }

  has(oid: string): boolean {
    if (existsSync(join(this.gitdir, 'objects', oid.slice(0, 2), oid.slice(2)))) return true;
    this.refreshPacks();
    const bin = Buffer.from(oid, 'hex');
    for (const idx of this.packs.values()) if (indexHas(idx, bin)) return true;
    return false;
  }
}
