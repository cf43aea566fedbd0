/**
 * The checks git's `fsck` (and `transfer.fsckObjects`) makes of trees, commits and tags, applied
 * to every object that arrives from another repository before it is stored, and to every tree
 * Ferry reads before it acts on it. A tree name is refused when git refuses it: empty, `.`,
 * `..`, `.git` in any case or in its HFS+ (ignorable code points) and NTFS (`git~1`, trailing dots
 * and spaces, `:` streams) spellings, or holding a `/`; duplicate or unsorted entries and
 * unknown modes are refused too. Returns a problem in words, or undefined when the object is fine.
 */

// The modes git writes, and two that old tools wrote and plain `git fsck` only warns about
// (100664, and zero-padded 040000): refusing those would refuse old histories, and neither can
// make a write go anywhere it should not. `git fsck --strict` flags them; Ferry accepts them.
const VALID_MODES = new Set(['100644', '100755', '120000', '40000', '160000', '100664']);
export const LENIENT_MODES: readonly string[] = ['100664', '040000'];

/** Files git opens without following links: a symlink by one of these names is refused. */
const NO_LINK_NAMES = ['.gitmodules', '.gitattributes', '.gitignore', '.mailmap'];

function isDotfileNamed(name: string, wanted: string): boolean {
  if (name.replace(HFS_IGNORED, '').toLowerCase() === wanted) return true;
  const lower = name.toLowerCase();
  return lower.startsWith(wanted) && /^[. ]*$/.test(lower.slice(wanted.length));
}

/** Code points HFS+ ignores when it compares names (git's `next_hfs_char`). */
const HFS_IGNORED = /[\u200c-\u200f\u202a-\u202e\u206a-\u206f\ufeff]/gu;

function isHfsDotGit(name: string): boolean {
  return name.replace(HFS_IGNORED, '').toLowerCase() === '.git';
}

/** git's `is_ntfs_dotgit`: `.git` or `git~1`, then only dots and spaces up to the end, `\`, `/` or `:`. */
function isNtfsDotGit(name: string): boolean {
  const lower = name.toLowerCase();
  let rest: string;
  if (lower.startsWith('.git')) rest = name.slice(4);
  else if (lower.startsWith('git~1')) rest = name.slice(5);
  else return false;
  for (const c of rest) {
    if (c === '\\' || c === '/' || c === ':') return true;
    if (c !== '.' && c !== ' ') return false;
  }
  return true;
}

/** Why git refuses `name` as one path component, or undefined when it accepts it. */
export function badName(name: string): string | undefined {
  if (name === '') return 'an empty name';
  if (name.includes('\0')) return 'a NUL byte in a name';
  if (name.includes('/')) return `a name holding "/" (${JSON.stringify(name)})`;
  if (name === '.') return 'the name "."';
  if (name === '..') return 'the name ".."';
  // NTFS also takes "\\" as a separator: each part after one is checked too, as git does.
  const ntfsParts = name.split('\\');
  if (isHfsDotGit(name) || ntfsParts.some(isNtfsDotGit))
    return `the name ${JSON.stringify(name)} (.git)`;
  return undefined;
}

/** Why a whole work-tree path is refused (each component checked), or undefined. */
export function badPath(path: string): string | undefined {
  if (path.startsWith('/')) return `an absolute path (${JSON.stringify(path)})`;
  for (const part of path.split('/')) {
    const problem = badName(part);
    if (problem) return problem;
  }
  return undefined;
}

export interface RawTreeEntry {
  readonly mode: string;
  readonly name: string;
  readonly oid: string;
}

/** Parses a raw tree, or returns the reason it cannot be parsed. */
export function parseRawTree(raw: Uint8Array): RawTreeEntry[] | string {
  const buf = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  const out: RawTreeEntry[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const space = buf.indexOf(0x20, pos);
    if (space < 0) return 'a truncated tree entry';
    const nul = buf.indexOf(0, space + 1);
    if (nul < 0 || nul + 21 > buf.length) return 'a truncated tree entry';
    out.push({
      mode: buf.toString('latin1', pos, space),
      name: buf.toString('utf8', space + 1, nul),
      oid: buf.toString('hex', nul + 1, nul + 21),
    });
    pos = nul + 21;
  }
  return out;
}

/** git's tree order: byte-wise, a tree's name compared as if it ended in "/". */
function sortName(e: { mode: string; name: string }): Buffer {
  const isTree = e.mode === '40000' || e.mode === '040000';
  return Buffer.from(isTree ? `${e.name}/` : e.name, 'utf8');
}
// Names that are not UTF-8 decode with replacement characters; their order is then compared on
// the decoded text, which is still a total order over what Ferry can write back.

/** Checks the entries of one tree as `git fsck --strict` does. */
export function treeEntriesProblem(
  entries: readonly RawTreeEntry[],
  options: { checkOrder?: boolean } = {},
): string | undefined {
  const seen = new Set<string>();
  let previous: Buffer | undefined;
  for (const e of entries) {
    const named = badName(e.name);
    if (named) return `a tree entry with ${named}`;
    if (!VALID_MODES.has(e.mode === '040000' ? '40000' : e.mode))
      return `an unknown mode (${e.mode}) for ${JSON.stringify(e.name)}`;
    if (/^0{40}$/.test(e.oid)) return `a null object id for ${JSON.stringify(e.name)}`;
    if (e.mode === '120000' && NO_LINK_NAMES.some((n) => isDotfileNamed(e.name, n)))
      return `a symbolic link named ${JSON.stringify(e.name)}`;
    if (seen.has(e.name)) return `a duplicate entry ${JSON.stringify(e.name)}`;
    seen.add(e.name);
    if (options.checkOrder === false) continue;
    const key = sortName(e);
    if (previous && Buffer.compare(previous, key) >= 0)
      return `entries out of order at ${JSON.stringify(e.name)}`;
    previous = key;
  }
  return undefined;
}

export function treeProblem(raw: Uint8Array): string | undefined {
  const entries = parseRawTree(raw);
  return typeof entries === 'string' ? entries : treeEntriesProblem(entries);
}

const HEX40 = /^[0-9a-f]{40}$/;
const IDENT = /^[^<>\n]*<[^<>\n]*> [0-9]+ [+-][0-9]{4}$/;

function headerLines(raw: Uint8Array): string[] | string {
  const text = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8');
  const end = text.indexOf('\n\n');
  const head = end < 0 ? text.replace(/\n$/, '') : text.slice(0, end);
  if (head.includes('\0')) return 'a NUL byte in its header';
  return head.split('\n');
}

export function commitProblem(raw: Uint8Array): string | undefined {
  const lines = headerLines(raw);
  if (typeof lines === 'string') return lines;
  let i = 0;
  const tree = lines[i++] ?? '';
  if (!tree.startsWith('tree ') || !HEX40.test(tree.slice(5))) return 'no valid tree line';
  while (lines[i]?.startsWith('parent ')) {
    if (!HEX40.test(lines[i]?.slice(7) ?? '')) return 'an invalid parent line';
    i++;
  }
  const author = lines[i++] ?? '';
  if (!author.startsWith('author ') || !IDENT.test(author.slice(7))) return 'an invalid author';
  const committer = lines[i] ?? '';
  if (!committer.startsWith('committer ') || !IDENT.test(committer.slice(10)))
    return 'an invalid committer';
  return undefined;
}

export function tagProblem(raw: Uint8Array): string | undefined {
  const lines = headerLines(raw);
  if (typeof lines === 'string') return lines;
  if (!lines[0]?.startsWith('object ') || !HEX40.test(lines[0].slice(7)))
    return 'no valid object line';
  if (!/^type (blob|tree|commit|tag)$/.test(lines[1] ?? '')) return 'no valid type line';
  if (!lines[2]?.startsWith('tag ') || lines[2].length <= 4) return 'no valid tag line';
  return undefined;
}

/** The fsck problem of one object of any type, or undefined. */
export function objectProblem(type: string, raw: Uint8Array): string | undefined {
  if (type === 'tree') return treeProblem(raw);
  if (type === 'commit') return commitProblem(raw);
  if (type === 'tag') return tagProblem(raw);
  if (type === 'blob') return undefined;
  return `an unknown object type ${JSON.stringify(type)}`;
}
