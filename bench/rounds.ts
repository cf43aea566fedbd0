/**
 * Rounds: every figure is measured at least three times, with the comparison (git-annex, git,
 * `cp`) in the same rounds, and reported as min / median / max with the ratio of medians beside
 * it. `--quick` (or BENCH_QUICK=1) shrinks the data so a whole run checks a change in about two
 * minutes (git-annex's assistants then run in the first round only); its figures are for
 * spotting regressions, not for notes. BENCH_ROUNDS sets the number of rounds.
 */
import { settleDisk } from './common';

export const quick = process.argv.includes('--quick') || process.env.BENCH_QUICK === '1';
export const roundCount = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));

/** A size from the environment, or the full or the quick default. */
export function size(name: string, full: number, quickValue: number): number {
  const v = process.env[name];
  return v !== undefined ? Number(v) : quick ? quickValue : full;
}

export interface Spread {
  readonly min: number;
  readonly median: number;
  readonly max: number;
}

const round3 = (x: number): number => Number(x.toFixed(3));

export function spread(xs: readonly number[]): Spread {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return { min: NaN, median: NaN, max: NaN };
  const mid = s.length / 2;
  const median =
    s.length % 2 ? (s[Math.floor(mid)] ?? NaN) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
  return { min: round3(s[0] ?? NaN), median: round3(median), max: round3(s[s.length - 1] ?? NaN) };
}

/** How many times `ours` beats `theirs` (both times: theirs / ours), from the medians. */
export function ratio(theirs: Spread, ours: Spread): number {
  return Number((theirs.median / ours.median).toFixed(2));
}

/**
 * Runs `measure` roundCount times and folds each numeric field into a Spread. A round's
 * non-numeric fields are kept from the first round.
 */
export async function rounds<T extends Record<string, number | string | undefined>>(
  label: string,
  measure: (round: number) => Promise<T> | T,
): Promise<Record<keyof T, Spread | string>> {
  const all: T[] = [];
  for (let r = 0; r < roundCount; r++) {
    process.stderr.write(`  ${label}: round ${r + 1} of ${roundCount}\n`);
    settleDisk(); // the last round's removals (see common.ts)
    all.push(await measure(r));
  }
  const out: Record<string, Spread | string> = {};
  for (const k of Object.keys(all[0] ?? {})) {
    const v = all[0]?.[k];
    out[k] = typeof v === 'number' ? spread(all.map((a) => Number(a[k]))) : String(v ?? '');
  }
  return out as Record<keyof T, Spread | string>;
}

/** The Spread of a field of `rounds`' result (for ratios). */
export function field(r: Record<string, Spread | string>, k: string): Spread {
  const v = r[k];
  return typeof v === 'object' ? v : { min: NaN, median: NaN, max: NaN };
}
