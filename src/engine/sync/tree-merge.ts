/**
 * Ferry's three-way tree merge. Clean changes merge as git merges them; every conflict is
 * resolved by keeping both sides, with git-annex's rules and variant names (so two clones that
 * resolve the same conflict write the same tree):
 *   - both annexed, different keys: each key under its variant name, each keeping its mode;
 *   - both annexed, same key: the original name (a symlink only if both sides were locked);
 *   - annexed against a plain file or a directory: the plain side keeps the name;
 *   - delete against modify: the modified side survives (annexed: as a variant, as git-annex does);
 *   - two plain git files (git-annex leaves these broken): both kept as `.variant-git-<blob>`;
 *   - a file against a directory: the directory keeps the name, the file becomes a variant.
 * Plain text files changed on both sides are not merged line by line; both versions are kept.
 */
import type { GitContext } from '../git/context';
import type { ObjectBatch, TreeEntry } from '../git/object-writer';
import { serializeTree } from '../git/object-writer';
import { readBlob, readTree } from '../git/read';
import { parsePointer, parseSymlinkTarget, pointerContent } from '../annex/paths';
import { annexVariantPath, gitVariantPath } from './variants';

export interface Conflict {
  readonly path: string;
  readonly kind:
    'both-annexed' | 'annexed-vs-plain' | 'delete-modify' | 'both-plain' | 'file-vs-directory';
  /** where each surviving version ended up */
  readonly kept: readonly string[];
}

type Entry = TreeEntry | undefined;

function same(a: Entry, b: Entry): boolean {
  if (!a || !b) return a === b;
  return a.oid === b.oid && a.mode === b.mode;
}

export class TreeMerger {
  readonly conflicts: Conflict[] = [];

  constructor(
    private readonly ctx: GitContext,
    private readonly batch: ObjectBatch,
  ) {}

  private async annexKey(entry: TreeEntry): Promise<string | undefined> {
    if (entry.type !== 'blob') return undefined;
    if (entry.mode !== '120000' && entry.mode !== '100644' && entry.mode !== '100755')
      return undefined;
    const blob = await readBlob(this.ctx, entry.oid);
    if (entry.mode === '120000') return parseSymlinkTarget(Buffer.from(blob).toString('utf8'));
    if (blob.byteLength > 32768) return undefined;
    return parsePointer(blob);
  }

  private async entries(tree: string | undefined): Promise<Map<string, TreeEntry>> {
    if (!tree) return new Map();
    return new Map((await readTree(this.ctx, tree)).map((e) => [e.path, e]));
  }

  /** Merges three trees (base may be absent for unrelated histories); returns the new tree. */
  async merge(
    base: string | undefined,
    ours: string | undefined,
    theirs: string | undefined,
    prefix = '',
  ): Promise<string | undefined> {
    if (ours === theirs) return ours;
    if (base !== undefined && base === ours) return theirs;
    if (base !== undefined && base === theirs) return ours;
    const [b, o, t] = await Promise.all([
      this.entries(base),
      this.entries(ours),
      this.entries(theirs),
    ]);
    const out = new Map<string, TreeEntry>();
    const names = [...new Set([...o.keys(), ...t.keys(), ...b.keys()])].sort();
    // Variants go in last so a clean entry of the same name (rare) is not silently replaced.
    const variants: [string, TreeEntry][] = [];
    for (const name of names) {
      const path = prefix === '' ? name : `${prefix}/${name}`;
      const be = b.get(name);
      const oe = o.get(name);
      const te = t.get(name);
      const placed = await this.mergeEntry(path, name, be, oe, te);
      for (const [n, e] of placed) {
        if (n === name) out.set(n, e);
        else variants.push([n, e]);
      }
    }
    for (const [n, e] of variants) if (!out.has(n)) out.set(n, e);
    if (out.size === 0) return undefined;
    return this.batch.add('tree', serializeTree([...out.values()]));
  }

  private subtree(e: Entry): string | undefined {
    return e?.type === 'tree' ? e.oid : undefined;
  }

  private async mergeDir(
    path: string,
    name: string,
    b: Entry,
    o: Entry,
    t: Entry,
  ): Promise<[string, TreeEntry][]> {
    const oid = await this.merge(this.subtree(b), this.subtree(o), this.subtree(t), path);
    return oid ? [[name, { mode: '040000', path: name, oid, type: 'tree' }]] : [];
  }

  private rename(e: TreeEntry, newName: string): [string, TreeEntry] {
    return [newName, { ...e, path: newName }];
  }

  private async variantFor(path: string, e: TreeEntry): Promise<string> {
    const key = await this.annexKey(e);
    const full = key ? annexVariantPath(path, key) : gitVariantPath(path, e.oid);
    return full.slice(full.lastIndexOf('/') + 1);
  }

  private async mergeEntry(
    path: string,
    name: string,
    b: Entry,
    o: Entry,
    t: Entry,
  ): Promise<[string, TreeEntry][]> {
    if (same(o, t)) return o ? [[name, o]] : [];
    if (same(o, b)) return t ? [[name, t]] : [];
    if (same(t, b)) return o ? [[name, o]] : [];
    // Both changed, differently.
    if (o?.type === 'tree' && t?.type === 'tree') return this.mergeDir(path, name, b, o, t);
    if (!o || !t) {
      const kept = (o ?? t) as TreeEntry;
      if (kept.type === 'tree')
        return this.mergeDir(
          path,
          name,
          b,
          o?.type === 'tree' ? o : undefined,
          t?.type === 'tree' ? t : undefined,
        );
      const key = await this.annexKey(kept);
      if (!key) {
        this.conflicts.push({ path, kind: 'delete-modify', kept: [path] });
        return [[name, kept]];
      }
      const variant = await this.variantFor(path, kept);
      this.conflicts.push({ path, kind: 'delete-modify', kept: [this.join(path, variant)] });
      return [this.rename(kept, variant)];
    }
    if (o.type === 'tree' || t.type === 'tree') {
      const dir = o.type === 'tree' ? o : t;
      const file = o.type === 'tree' ? t : o;
      const placedDir = await this.mergeDir(
        path,
        name,
        b,
        o.type === 'tree' ? dir : undefined,
        t.type === 'tree' ? dir : undefined,
      );
      const variant = await this.variantFor(path, file);
      this.conflicts.push({
        path,
        kind: 'file-vs-directory',
        kept: [path, this.join(path, variant)],
      });
      return [...placedDir, this.rename(file, variant)];
    }
    const [ok, tk] = await Promise.all([this.annexKey(o), this.annexKey(t)]);
    if (ok && tk) {
      if (ok === tk) {
        this.conflicts.push({ path, kind: 'both-annexed', kept: [path] });
        if (o.mode === '120000' && t.mode === '120000') return [[name, o]];
        const pointer = this.batch.add('blob', pointerContent(ok));
        return [[name, { mode: '100644', path: name, oid: pointer, type: 'blob' }]];
      }
      return this.keepBoth(path, o, t, 'both-annexed');
    }
    if (ok || tk) {
      const plain = ok ? t : o;
      const annexed = ok ? o : t;
      const variant = await this.variantFor(path, annexed);
      this.conflicts.push({
        path,
        kind: 'annexed-vs-plain',
        kept: [path, this.join(path, variant)],
      });
      return [[name, plain], this.rename(annexed, variant)];
    }
    return this.keepBoth(path, o, t, 'both-plain');
  }

  /** Both sides survive, each under its own variant name. */
  private async keepBoth(
    path: string,
    o: TreeEntry,
    t: TreeEntry,
    kind: Conflict['kind'],
  ): Promise<[string, TreeEntry][]> {
    const [ov, tv] = await Promise.all([this.variantFor(path, o), this.variantFor(path, t)]);
    this.conflicts.push({ path, kind, kept: [this.join(path, ov), this.join(path, tv)].sort() });
    return [this.rename(o, ov), this.rename(t, tv)];
  }

  private join(path: string, name: string): string {
    const slash = path.lastIndexOf('/');
    return slash < 0 ? name : `${path.slice(0, slash + 1)}${name}`;
  }
}
