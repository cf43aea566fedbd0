/**
 * git-annex log timestamps: `<posix seconds>[.<up to 12 fraction digits>][s]`.
 * Held as a bigint count of picoseconds so comparisons are exact.
 */
export type Timestamp = bigint;

const PICOS = 1_000_000_000_000n;

export function parseTimestamp(text: string): Timestamp | undefined {
  const m = /^(\d+)(?:\.(\d{1,12}))?s?$/.exec(text);
  if (!m) return undefined;
  const secs = BigInt(m[1] ?? '0');
  const frac = (m[2] ?? '').padEnd(12, '0');
  return secs * PICOS + BigInt(frac === '' ? '0' : frac);
}

export function formatTimestamp(t: Timestamp): string {
  const secs = t / PICOS;
  const frac = (t % PICOS).toString().padStart(12, '0').replace(/0+$/, '');
  return frac.length === 0 ? `${secs}s` : `${secs}.${frac}s`;
}

/** Now, with nanosecond digits; `GIT_ANNEX_VECTOR_CLOCK` forces it as git-annex does. */
export function nowTimestamp(env: NodeJS.ProcessEnv = process.env): Timestamp {
  const forced = env.GIT_ANNEX_VECTOR_CLOCK;
  if (forced) {
    const t = parseTimestamp(forced);
    if (t !== undefined) return t;
  }
  const ns = process.hrtime.bigint() - hrBase + wallBaseNs;
  return ns * 1000n;
}

const wallBaseNs = BigInt(Date.now()) * 1_000_000n;
const hrBase = process.hrtime.bigint();

export function timestampFromSeconds(seconds: number): Timestamp {
  return BigInt(Math.round(seconds * 1e6)) * 1_000_000n;
}

export function timestampToMillis(t: Timestamp): number {
  return Number(t / 1_000_000_000n);
}

/** The vector clock: `now`, or one second past the newest earlier time if that is not older. */
export function advanceClock(now: Timestamp, newestExisting: Timestamp | undefined): Timestamp {
  if (newestExisting !== undefined && newestExisting >= now) return newestExisting + PICOS;
  return now;
}
