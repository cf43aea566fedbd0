/**
 * Preferred content ("wanted"): which files a repository wants, from `preferred-content.log`
 * and the standard group expressions. Terms: the file terms of annex.largefiles, `present`,
 * `copies=N`, `copies=GROUP:N`, `lackingcopies=N`, `approxlackingcopies=N`, `inallgroup=GROUP`,
 * `standard`, `groupwanted`, `unused` and `inpreferreddir`.
 */
import { parseExpression, type Predicate } from './expression';
import { fileTerm, type FileFacts } from './largefiles';
import { parseMapLog, parseUuidLog, type TrustLevel } from './logs';

export interface WantFacts extends FileFacts {
  readonly key: string;
  /** repositories holding the content */
  readonly copies: readonly string[];
  /** the repository whose preference is asked */
  readonly repo: string;
  readonly numcopies: number;
}

export interface RepoFacts {
  readonly groups: ReadonlyMap<string, readonly string[]>;
  readonly trust: ReadonlyMap<string, TrustLevel>;
  /** group-preferred-content.log: group → expression */
  readonly groupWanted: ReadonlyMap<string, string>;
}

const CLIENT =
  '(include=* and ((exclude=*/archive/* and exclude=archive/*) or (not (copies=archive:1 or copies=smallarchive:1)))) or approxlackingcopies=1';

/** git-annex's `standard` expression for each standard group. */
export const STANDARD_GROUPS: Readonly<Record<string, string>> = {
  client: CLIENT,
  transfer: `not (inallgroup=client and copies=client:2) and (${CLIENT})`,
  backup: 'include=* or unused',
  incrementalbackup: '(include=* and (not copies=incrementalbackup:1)) or approxlackingcopies=1',
  smallarchive:
    '((include=*/archive/* or include=archive/*) and not (copies=archive:1 or copies=smallarchive:1)) or approxlackingcopies=1',
  archive: 'not (copies=archive:1 or copies=smallarchive:1) or approxlackingcopies=1',
  source: 'not (copies=1)',
  manual: `present and (${CLIENT})`,
  public: 'inpreferreddir',
  unwanted: 'exclude=*',
};

function countingCopies(facts: WantFacts, repoFacts: RepoFacts): string[] {
  return facts.copies.filter(
    (u) => repoFacts.trust.get(u) !== 'dead' && repoFacts.trust.get(u) !== 'untrusted',
  );
}

export function parseWanted(expr: string, repoFacts: RepoFacts, depth = 0): Predicate<WantFacts> {
  if (depth > 4) throw new Error('preferred content refers to itself');
  return parseExpression<WantFacts>(
    expr,
    (token) => {
      const file = fileTerm(token);
      if (file) return file;
      if (token === 'present') return (f) => f.copies.includes(f.repo);
      if (token === 'unused' || token === 'inpreferreddir') return () => false;
      if (token === 'standard' || token === 'groupwanted') {
        return (f) => {
          const groups = repoFacts.groups.get(f.repo) ?? [];
          for (const g of groups) {
            const e = token === 'standard' ? STANDARD_GROUPS[g] : repoFacts.groupWanted.get(g);
            if (e) return parseWanted(e, repoFacts, depth + 1)(f);
          }
          return true;
        };
      }
      const eq = token.indexOf('=');
      const name = token.slice(0, eq);
      const value = token.slice(eq + 1);
      if (name === 'copies') {
        const colon = value.lastIndexOf(':');
        const n = Number(colon < 0 ? value : value.slice(colon + 1));
        if (!Number.isInteger(n)) throw new Error(`bad number in "${token}"`);
        if (colon < 0) return (f) => countingCopies(f, repoFacts).length >= n;
        const group = value.slice(0, colon);
        return (f) =>
          countingCopies(f, repoFacts).filter((u) =>
            (repoFacts.groups.get(u) ?? []).includes(group),
          ).length >= n;
      }
      if (name === 'lackingcopies' || name === 'approxlackingcopies') {
        const n = Number(value);
        if (!Number.isInteger(n)) throw new Error(`bad number in "${token}"`);
        return (f) => f.numcopies - countingCopies(f, repoFacts).length >= n;
      }
      if (name === 'inallgroup') {
        return (f) => {
          const inGroup = [...repoFacts.groups]
            .filter(([, gs]) => gs.includes(value))
            .map(([u]) => u);
          return inGroup.length > 0 && inGroup.every((u) => f.copies.includes(u));
        };
      }
      throw new Error(`unsupported preferred content term "${token}"`);
    },
    'preferred content',
  );
}

/** Reads the logs that preferred content needs into plain maps. */
export function repoFactsFrom(
  groupLog: string,
  trust: ReadonlyMap<string, TrustLevel>,
  groupPreferredLog: string,
): RepoFacts {
  const groups = new Map<string, string[]>();
  for (const [uuid, e] of parseUuidLog(groupLog))
    groups.set(
      uuid,
      e.value.split(' ').filter((g) => g !== ''),
    );
  const groupWanted = new Map<string, string>();
  for (const [g, e] of parseMapLog(groupPreferredLog)) groupWanted.set(g, e.value);
  return { groups, trust, groupWanted };
}
