/**
 * A matcher for `annex.largefiles` expressions: `anything`, `nothing`, `include=GLOB`,
 * `exclude=GLOB`, `largerthan=SIZE`, `smallerthan=SIZE`, combined with `and`, `or`, `not` and
 * parentheses (adjacent terms mean `and`), as git-annex evaluates them.
 */
import { globMatcher, parseExpression, type Predicate } from './expression';

export { globToRegExp } from './expression';

export interface FileFacts {
  /** path relative to the top, with `/` */
  readonly path: string;
  readonly size: number;
}

export type Matcher = Predicate<FileFacts>;

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

/** The terms about a file alone, shared with preferred content; undefined for other tokens. */
export function fileTerm(token: string): Matcher | undefined {
  if (token === 'anything') return () => true;
  if (token === 'nothing') return () => false;
  const eq = token.indexOf('=');
  const name = token.slice(0, eq);
  const value = token.slice(eq + 1);
  if (name === 'include' || name === 'exclude') {
    const test = globMatcher(value);
    return name === 'include' ? (f) => test(f.path) : (f) => !test(f.path);
  }
  if (name === 'largerthan' || name === 'smallerthan') {
    const size = parseSize(value);
    if (size === undefined) throw new Error(`bad size in "${token}"`);
    return name === 'largerthan' ? (f) => f.size > size : (f) => f.size < size;
  }
  return undefined;
}

/** Parses an expression; throws with a readable message on anything unsupported. */
export function parseLargeFiles(expr: string): Matcher {
  return parseExpression(
    expr,
    (token) => {
      const t = fileTerm(token);
      if (!t) throw new Error(`unsupported annex.largefiles term "${token}"`);
      return t;
    },
    'annex.largefiles',
  );
}
