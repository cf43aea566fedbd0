/**
 * Repository-wide settings kept in the git-annex branch, written in git-annex's formats:
 * descriptions (uuid.log), trust (trust.log), groups (group.log), preferred content
 * (preferred-content.log) and numcopies (numcopies.log).
 */
import { FerryError } from '../errors';
import type { AnnexBranch } from './branch';
import {
  formatSingleValueLog,
  parseSingleValueLog,
  parseTrustLog,
  parseUuidLog,
  setUuidLogValue,
  TRUST_LEVELS,
  type TrustLevel,
} from './logs';
import { nowTimestamp } from './timestamp';

export async function setDescription(
  branch: AnnexBranch,
  uuid: string,
  description: string,
): Promise<void> {
  await branch.change('uuid.log', (old) => setUuidLogValue(old, uuid, description, nowTimestamp()));
}

/** Names a repository anew (the window's "Rename"): one line of text, as uuid.log holds it. */
export async function renameRepository(
  branch: AnnexBranch,
  uuid: string,
  name: string,
): Promise<string> {
  const text = name.replace(/\s+/g, ' ').trim();
  if (text === '' || text.length > 200)
    throw new FerryError('usage', "a folder's name is one line of 1 to 200 characters");
  await setDescription(branch, uuid, text);
  await branch.commit();
  return text;
}

const TRUST_CODES: Readonly<Record<TrustLevel, string>> = Object.fromEntries(
  Object.entries(TRUST_LEVELS).map(([code, level]) => [level, code]),
) as Record<TrustLevel, string>;

export async function setTrust(
  branch: AnnexBranch,
  uuid: string,
  level: TrustLevel,
): Promise<void> {
  await branch.change('trust.log', (old) =>
    setUuidLogValue(old, uuid, TRUST_CODES[level], nowTimestamp()),
  );
}

export async function trustOf(branch: AnnexBranch, uuid: string): Promise<TrustLevel> {
  return parseTrustLog(await branch.read('trust.log')).get(uuid) ?? 'semitrusted';
}

export async function groupsOf(branch: AnnexBranch, uuid: string): Promise<string[]> {
  const value = parseUuidLog(await branch.read('group.log')).get(uuid)?.value ?? '';
  return value.split(' ').filter((g) => g.length > 0);
}

export async function setGroups(
  branch: AnnexBranch,
  uuid: string,
  groups: readonly string[],
): Promise<void> {
  const value = [...new Set(groups)].sort().join(' ');
  await branch.change('group.log', (old) => setUuidLogValue(old, uuid, value, nowTimestamp()));
}

export async function preferredContent(
  branch: AnnexBranch,
  uuid: string,
): Promise<string | undefined> {
  return parseUuidLog(await branch.read('preferred-content.log')).get(uuid)?.value;
}

export async function setPreferredContent(
  branch: AnnexBranch,
  uuid: string,
  expression: string,
): Promise<void> {
  await branch.change('preferred-content.log', (old) =>
    setUuidLogValue(old, uuid, expression, nowTimestamp()),
  );
}

export async function numcopiesSetting(branch: AnnexBranch): Promise<number | undefined> {
  const value = parseSingleValueLog(await branch.read('numcopies.log'));
  return value === undefined ? undefined : Number(value);
}

export async function setNumcopies(branch: AnnexBranch, n: number): Promise<void> {
  if (!Number.isInteger(n) || n < 1)
    throw new FerryError('usage', 'numcopies must be a whole number of at least 1');
  await branch.change('numcopies.log', (old) =>
    parseSingleValueLog(old) === String(n)
      ? undefined
      : formatSingleValueLog(String(n), nowTimestamp(), old),
  );
}

/** Resolves "here", a remote name, a description or a UUID to a UUID. */
export async function resolveRepository(
  branch: AnnexBranch,
  here: string,
  remotes: readonly { name: string; uuid: string | undefined }[],
  name: string,
): Promise<string> {
  if (name === 'here' || name === '.') return here;
  const remote = remotes.find((r) => r.name === name);
  if (remote?.uuid) return remote.uuid;
  const uuids = parseUuidLog(await branch.read('uuid.log'));
  if (uuids.has(name)) return name;
  const byDescription = [...uuids.values()].filter((e) => e.value === name);
  if (byDescription.length === 1 && byDescription[0]) return byDescription[0].uuid;
  throw new FerryError('remote-unknown', `no repository is known as "${name}"`, { name });
}
