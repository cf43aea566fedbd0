/**
 * The boolean expression language of annex.largefiles and preferred content: terms combined
 * with `and`, `or`, `not` and parentheses; adjacent terms mean `and`.
 */
export type Predicate<F> = (facts: F) => boolean;

function tokenize(expr: string): string[] {
  return expr
    .replace(/\(/g, ' ( ')
    .replace(/\)/g, ' ) ')
    .split(/\s+/)
    .filter((t) => t.length > 0);
}

/** Parses `expr`; `term` turns one token into a predicate and throws on what it does not know. */
export function parseExpression<F>(
  expr: string,
  term: (token: string) => Predicate<F>,
  what: string,
): Predicate<F> {
  const tokens = tokenize(expr);
  let pos = 0;
  const peek = (): string | undefined => tokens[pos];
  function parseOr(): Predicate<F> {
    let left = parseAnd();
    while (peek() === 'or') {
      pos++;
      const l = left;
      const r = parseAnd();
      left = (f) => l(f) || r(f);
    }
    return left;
  }
  function parseAnd(): Predicate<F> {
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
  function parseNot(): Predicate<F> {
    const t = peek();
    if (t === 'not') {
      pos++;
      const inner = parseNot();
      return (f) => !inner(f);
    }
    if (t === '(') {
      pos++;
      const inner = parseOr();
      if (peek() !== ')') throw new Error(`unbalanced parentheses in ${what}`);
      pos++;
      return inner;
    }
    if (t === undefined) throw new Error(`${what} ends too early`);
    pos++;
    return term(t);
  }
  if (tokens.length === 0) return () => true;
  const m = parseOr();
  if (pos !== tokens.length) throw new Error(`unexpected "${tokens[pos] ?? ''}" in ${what}`);
  return m;
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

/** include=/exclude= matching: a glob without a slash matches the file name anywhere. */
export function globMatcher(glob: string): (path: string) => boolean {
  const re = globToRegExp(glob);
  return glob.includes('/')
    ? (p) => re.test(p)
    : (p) => re.test(p.slice(p.lastIndexOf('/') + 1)) || re.test(p);
}
