/**
 * Where a benchmark's time went: the spans Ferry's processes recorded (FERRY_TRACE, see
 * src/engine/trace.ts) between two moments, per phase: how many, their total and longest
 * duration, and when the first began and the last ended after the start (ms). Phases overlap
 * (a transfer runs while the next commit is made), so totals are not meant to add up.
 */
import { existsSync, readFileSync } from 'node:fs';

interface Span {
  readonly p: string;
  readonly t: number;
  readonly ms: number;
  readonly d?: string;
}

export interface PhaseFigures {
  readonly n: number;
  readonly totalMs: number;
  readonly maxMs: number;
  readonly firstAtMs: number;
  readonly lastEndMs: number;
}

function readSpans(file: string): Span[] {
  if (!existsSync(file)) return [];
  const out: Span[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    try {
      out.push(JSON.parse(line) as Span);
    } catch {
      // a line cut by a kill: skipped
    }
  }
  return out;
}

const r1 = (x: number): number => Math.round(x * 10) / 10;

/** The spans of `file` that began in [from, to], per phase (ms after `from`). */
export function phases(file: string, from: number, to: number): Record<string, PhaseFigures> {
  const by = new Map<string, Span[]>();
  for (const s of readSpans(file)) {
    if (s.t < from || s.t > to) continue;
    const list = by.get(s.p) ?? [];
    list.push(s);
    by.set(s.p, list);
  }
  const out: Record<string, PhaseFigures> = {};
  for (const [p, list] of [...by].sort((x, y) => (x[1][0]?.t ?? 0) - (y[1][0]?.t ?? 0))) {
    out[p] = {
      n: list.length,
      totalMs: r1(list.reduce((a, s) => a + s.ms, 0)),
      maxMs: r1(Math.max(...list.map((s) => s.ms))),
      firstAtMs: r1(Math.min(...list.map((s) => s.t)) - from),
      lastEndMs: r1(Math.max(...list.map((s) => s.t + s.ms)) - from),
    };
  }
  return out;
}

/**
 * One round trip's timeline: the first span of each phase after `from` on each side, in the
 * order they began (ms after `from`), for a single saved file.
 */
export function timeline(
  files: Record<string, string>,
  from: number,
  to: number,
): { at: number; side: string; phase: string; ms: number }[] {
  const seen = new Set<string>();
  const out: { at: number; side: string; phase: string; ms: number }[] = [];
  const all = Object.entries(files).flatMap(([side, f]) =>
    readSpans(f)
      .filter((s) => s.t >= from && s.t <= to)
      .map((s) => ({ side, s })),
  );
  for (const { side, s } of all.sort((x, y) => x.s.t - y.s.t)) {
    const id = `${side}:${s.p}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push({ at: r1(s.t - from), side, phase: s.p, ms: r1(s.ms) });
  }
  return out;
}
