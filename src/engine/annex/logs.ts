/**
 * The git-annex branch's log formats: presence (location) logs, UUID-based logs and map logs.
 * Pure functions over text; the branch module reads and writes the files.
 */
import { advanceClock, formatTimestamp, parseTimestamp, type Timestamp } from './timestamp';

export type PresenceStatus = '1' | '0' | 'X';

export interface PresenceLine {
  readonly time: Timestamp;
  readonly status: PresenceStatus;
  readonly uuid: string;
}

function splitLines(text: string): string[] {
  return text.split(/[\r\n]+/).filter((line) => line.length > 0);
}

export function parsePresenceLog(text: string): PresenceLine[] {
  const out: PresenceLine[] = [];
  for (const line of splitLines(text)) {
    const [ts, status, uuid, ...extra] = line.split(' ');
    if (extra.length > 0 || !ts || !uuid) continue;
    if (status !== '1' && status !== '0' && status !== 'X') continue;
    const time = parseTimestamp(ts);
    if (time === undefined) continue;
    out.push({ time, status, uuid });
  }
  return out;
}

/** Newest line per UUID; in presence logs the first line wins a tie. */
export function compactPresence(lines: readonly PresenceLine[]): Map<string, PresenceLine> {
  const best = new Map<string, PresenceLine>();
  for (const line of lines) {
    const prev = best.get(line.uuid);
    if (!prev || line.time > prev.time) best.set(line.uuid, line);
  }
  return best;
}

/** UUIDs whose newest line says the content is present. */
export function presentUuids(text: string): string[] {
  return [...compactPresence(parsePresenceLog(text)).values()]
    .filter((l) => l.status === '1')
    .map((l) => l.uuid)
    .sort();
}

function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

export function formatPresenceLog(lines: Iterable<PresenceLine>): string {
  return [...lines]
    .sort((a, b) => compareBytes(a.uuid, b.uuid))
    .map((l) => `${formatTimestamp(l.time)} ${l.status} ${l.uuid}\n`)
    .join('');
}

/**
 * maybeAddLog: the new compacted log text, or undefined when the newest line already says so.
 */
export function addPresence(
  text: string,
  uuid: string,
  status: PresenceStatus,
  now: Timestamp,
): string | undefined {
  const compacted = compactPresence(parsePresenceLog(text));
  const prev = compacted.get(uuid);
  if (prev && prev.status === status) return undefined;
  const time = advanceClock(now, prev?.time);
  compacted.set(uuid, { time, status, uuid });
  return formatPresenceLog(compacted.values());
}

/**
 * addPresence for a change seen at `at`, written later: left out when the log already holds a
 * newer line for `uuid` (a change made in between wins, as it would have had this been
 * written at once).
 */
export function addPresenceUnlessNewer(
  text: string,
  uuid: string,
  status: PresenceStatus,
  at: Timestamp,
): string | undefined {
  const prev = compactPresence(parsePresenceLog(text)).get(uuid);
  if (prev && prev.time > at) return undefined;
  return addPresence(text, uuid, status, at);
}

/** "Old" UUID-based logs: `UUID value… timestamp=T`; the later line wins a tie. */
export interface UuidLogEntry {
  readonly uuid: string;
  readonly value: string;
  readonly time: Timestamp;
}

export function parseUuidLog(text: string): Map<string, UuidLogEntry> {
  const out = new Map<string, UuidLogEntry>();
  for (const line of splitLines(text)) {
    const space = line.indexOf(' ');
    const uuid = space < 0 ? line : line.slice(0, space);
    if (uuid.length === 0) continue;
    let rest = space < 0 ? '' : line.slice(space + 1);
    let time: Timestamp = 0n;
    const m = /(?:^| )timestamp=(\S+)$/.exec(rest);
    if (m) {
      const t = parseTimestamp(m[1] ?? '');
      if (t === undefined) continue;
      time = t;
      rest = rest.slice(0, m.index);
    }
    const prev = out.get(uuid);
    if (!prev || time >= prev.time) out.set(uuid, { uuid, value: rest, time });
  }
  return out;
}

export function formatUuidLog(entries: Iterable<UuidLogEntry>): string {
  return [...entries]
    .sort((a, b) => compareBytes(a.uuid, b.uuid))
    .map(
      (e) =>
        `${e.uuid} ${e.value}${e.value.length > 0 ? ' ' : ''}timestamp=${formatTimestamp(e.time)}\n`,
    )
    .join('');
}

/** Sets the value for a UUID with the vector clock; undefined when unchanged. */
export function setUuidLogValue(
  text: string,
  uuid: string,
  value: string,
  now: Timestamp,
): string | undefined {
  const entries = parseUuidLog(text);
  const prev = entries.get(uuid);
  if (prev && prev.value === value) return undefined;
  entries.set(uuid, { uuid, value, time: advanceClock(now, prev?.time) });
  return formatUuidLog(entries.values());
}

/** Single-value logs (`numcopies.log`): `T value`; the newest wins. */
export function parseSingleValueLog(text: string): string | undefined {
  let best: { time: Timestamp; value: string } | undefined;
  for (const line of splitLines(text)) {
    const space = line.indexOf(' ');
    if (space < 0) continue;
    const time = parseTimestamp(line.slice(0, space));
    if (time === undefined) continue;
    if (!best || time >= best.time) best = { time, value: line.slice(space + 1) };
  }
  return best?.value;
}

export function formatSingleValueLog(value: string, now: Timestamp, previous: string): string {
  let newest: Timestamp | undefined;
  for (const line of splitLines(previous)) {
    const t = parseTimestamp(line.split(' ')[0] ?? '');
    if (t !== undefined && (newest === undefined || t > newest)) newest = t;
  }
  return `${formatTimestamp(advanceClock(now, newest))} ${value}\n`;
}

/** Map logs (`config.log`, `group-preferred-content.log`): `T field value`; newest per field. */
export function parseMapLog(text: string): Map<string, { value: string; time: Timestamp }> {
  const out = new Map<string, { value: string; time: Timestamp }>();
  for (const line of splitLines(text)) {
    const [ts, field, ...rest] = line.split(' ');
    if (!ts || !field) continue;
    const time = parseTimestamp(ts);
    if (time === undefined) continue;
    const prev = out.get(field);
    if (!prev || time >= prev.time) out.set(field, { value: rest.join(' '), time });
  }
  return out;
}

export const TRUST_LEVELS = {
  '1': 'trusted',
  '0': 'untrusted',
  '?': 'semitrusted',
  X: 'dead',
} as const;
export type TrustLevel = (typeof TRUST_LEVELS)[keyof typeof TRUST_LEVELS];

export function parseTrustLog(text: string): Map<string, TrustLevel> {
  const out = new Map<string, TrustLevel>();
  for (const [uuid, entry] of parseUuidLog(text)) {
    const level = TRUST_LEVELS[entry.value.trim() as keyof typeof TRUST_LEVELS];
    if (level) out.set(uuid, level);
  }
  return out;
}

/** remote.log values: `k=v` pairs with whitespace and `&` escaped as `&<code>;`. */
export function parseRemoteConfig(value: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const pair of value.split(' ')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    const unescape = (s: string): string =>
      s.replace(/&(\d+);/g, (_, code: string) => String.fromCodePoint(Number(code)));
    out.set(unescape(pair.slice(0, eq)), unescape(pair.slice(eq + 1)));
  }
  return out;
}

/**
 * Union merge of two versions of a branch file: the sorted set of unique lines of both.
 * Returns 'left'/'right' when that side already equals the union (its blob is reused).
 */
export function unionMergeText(
  left: string,
  right: string,
): { text: string; same: 'left' | 'right' | undefined } {
  const lines = (t: string): string[] => t.split(/\r?\n/).filter((l) => l.length > 0);
  const l = [...new Set(lines(left))];
  const r = [...new Set(lines(right))];
  const all = [...new Set([...l, ...r])].sort(compareBytes);
  const text = all.map((x) => `${x}\n`).join('');
  const sortedEq = (xs: string[]): boolean => xs.length === all.length;
  if (sortedEq(l)) return { text, same: 'left' };
  if (sortedEq(r)) return { text, same: 'right' };
  return { text, same: undefined };
}
