/**
 * Conflict variant names, byte-identical to git-annex's, so clones resolving the same conflict
 * produce the same tree: `dir/base.variant-XXXX.ext` with XXXX the first 4 hex digits of the md5
 * of the key (the full keyFile when the path already holds a variant). Only the last extension
 * moves after the variant, and a leading-dot name is all extension (`.foo` → `.variant-XXXX.foo`).
 */
import { createHash } from 'node:crypto';
import { keyFile } from '../annex/paths';

function splitLastExtension(name: string): [string, string] {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? [name, ''] : [name.slice(0, dot), name.slice(dot)];
}

export function variantPath(path: string, variant: string): string {
  const slash = path.lastIndexOf('/');
  const dir = slash < 0 ? '' : path.slice(0, slash + 1);
  const [base, ext] = splitLastExtension(path.slice(slash + 1));
  return `${dir}${base}.variant-${variant}${ext}`;
}

/** The variant name git-annex gives the annexed side `key` of a conflict at `path`. */
export function annexVariantPath(path: string, key: string): string {
  const v = path.includes('.variant-')
    ? keyFile(key)
    : createHash('md5').update(key, 'utf8').digest('hex').slice(0, 4);
  return variantPath(path, v);
}

/**
 * Ferry's name for one side of a conflict between two plain git files (which git-annex leaves
 * unresolved): the variant is the first 8 hex digits of the side's git blob id, so both clones
 * name both versions the same way.
 */
export function gitVariantPath(path: string, blobOid: string): string {
  return variantPath(path, `git-${blobOid.slice(0, 8)}`);
}
