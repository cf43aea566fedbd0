/**
 * Settings that git-annex reads from `.git/config` first and the branch's `config.log` second:
 * annex.largefiles, annex.dotfiles, annex.addunlocked, annex.thin, and numcopies.
 */
import { getConfig } from '../git/read';
import type { AnnexBranch } from './branch';
import { parseMapLog, parseSingleValueLog } from './logs';
import type { Repository } from './repository';

function isTrue(value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  return /^(true|yes|on|1)$/i.test(value.trim());
}

export interface AnnexSettings {
  readonly largefiles: string | undefined;
  readonly dotfiles: boolean;
  readonly addunlocked: boolean;
  readonly thin: boolean;
  readonly numcopies: number;
  readonly backend: 'SHA256E' | 'SHA256';
}

export async function readSettings(repo: Repository, branch: AnnexBranch): Promise<AnnexSettings> {
  const configLog = parseMapLog(await branch.read('config.log'));
  const get = async (name: string): Promise<string | undefined> =>
    (await getConfig(repo.git, name)) ?? configLog.get(name)?.value;
  const numcopiesText =
    (await getConfig(repo.git, 'annex.numcopies')) ??
    parseSingleValueLog(await branch.read('numcopies.log'));
  const numcopies = Number(numcopiesText ?? '1');
  const backendName = (await getConfig(repo.git, 'annex.backend')) ?? 'SHA256E';
  return {
    largefiles: await get('annex.largefiles'),
    dotfiles: isTrue(await get('annex.dotfiles')) ?? false,
    addunlocked: isTrue(await get('annex.addunlocked')) ?? false,
    thin: isTrue(await getConfig(repo.git, 'annex.thin')) ?? false,
    numcopies: Number.isInteger(numcopies) && numcopies >= 1 ? numcopies : 1,
    backend: backendName === 'SHA256' ? 'SHA256' : 'SHA256E',
  };
}
