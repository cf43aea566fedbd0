/**
 * A matcher for `annex.largefiles` expressions: `anything`, `nothing`, `include=GLOB`,
 * `exclude=GLOB`, `largerthan=SIZE`, `smallerthan=SIZE`, combined with `and`, `or`, `not` and
 * parentheses (adjacent terms mean `and`), as git-annex evaluates them.
 */
export interface FileFacts {
  /** path relative to the top, with `/` */
  readonly path: string;
  readonly size: number;
}

export type Matcher = (facts: FileFacts) => boolean;

const UNITS: Record<string, number> = {
  b: 1,
  byte: 1,
  bytes: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
  k: 1e3,
  m: 1e6,
  g: 1e9,
  t: 1e12,
};

export function parseSize(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*([a-zA-Z]*)$/.exec(text.trim());
  if (!m) return undefined;
  const unit = (m[2] ?? '').toLowerCase();
  const factor = unit === '' ? 1 : UNITS[unit];
  return factor === undefined ? undefined : Math.round(Number(m[1]) * factor);
}

export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i] ?? '';
    if (ch === '*') re += '.*';
    else if (ch === '?') re += '.';
    else if (ch === '[') {
      const close = glob.indexOf(']', i + 1);
      if (close < 0) re += '\\[';
      else {
        re += `[${glob
          .slice(i + 1, close)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\')}]`;
        i = close;
      }
    } else re += ch.replace(/[.+^${}()|\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 's');
}

function tokenize(expr: string): string[] {
  return expr
    .replace(/\(/g, ' ( ')
    .replace(/\)/g, ' ) ')
    .split(/\s+/)
    .filter((t) => t.length > 0);
}

function term(token: string): Matcher {
  if (token === 'anything') return () => true;
  if (token === 'nothing') return () => false;
  const eq = token.indexOf('=');
  const name = token.slice(0, eq);
  const value = token.slice(eq + 1);
  if (name === 'include' || name === 'exclude') {
    const re = globToRegExp(value);
    // A glob without a slash matches the file name anywhere, as git-annex does.
    const test = value.includes('/')
      ? (p: string) => re.test(p)
      : (p: string) => re.test(p.slice(p.lastIndexOf('/') + 1)) || re.test(p);
    return name === 'include' ? (f) => test(f.path) : (f) => !test(f.path);
  }
  if (name === 'largerthan' || name === 'smallerthan') {
    const size = parseSize(value);
    if (size === undefined) throw new Error(`bad size in "${token}"`);
    return name === 'largerthan' ? (f) => f.size > size : (f) => f.size < size;
  }
  throw new Error(`unsupported annex.largefiles term "${token}"`);
}

/** Parses an expression; throws with a readable message on anything unsupported. */
export function parseLargeFiles(expr: string): Matcher {
  const tokens = tokenize(expr);
  let pos = 0;
  const peek = (): string | undefined => tokens[pos];
  function parseOr(): Matcher {
    let left = parseAnd();
    while (peek() === 'or') {
      pos++;
      const l = left;
      const r = parseAnd();
      left = (f) => l(f) || r(f);
    }
    return left;
  }
  function parseAnd(): Matcher {
    let left = parseNot();
    for (;;) {
      const t = peek();
      if (t === 'and') pos++;
      else if (t === undefined || t === 'or' || t === ')') break;
      const l = left;
      const r = parseNot();
      left = (f) => l(f) && r(f);
    }
    return left;
  }
  function parseNot(): Matcher {
    const t = peek();
    if (t === 'not') {
      pos++;
      const inner = parseNot();
      return (f) => !inner(f);
    }
    if (t === '(') {
      pos++;
      const inner = parseOr();
      if (peek() !== ')') throw new Error('unbalanced parentheses in annex.largefiles');
      pos++;
      return inner;
    }
    if (t === undefined) throw new Error('annex.largefiles ends too early');
    pos++;
    return term(t);
  }
  const m = parseOr();
  if (pos !== tokens.length)
    throw new Error(`unexpected "${tokens[pos] ?? ''}" in annex.largefiles`);
  return m;
}
