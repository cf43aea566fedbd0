/**
 * `ferry init`: makes a folder a git-annex v10 repository, as `git annex init` does. The git
 * filter and hooks that call the `git-annex` binary are only installed when it is on PATH, so a
 * machine without git-annex never gets a repository whose `git add` or commits break.
 */
import { randomUUID } from 'node:crypto';
import { accessSync, constants, promises as fsp } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { initGitRepository } from '../git/init';
import { FerryError } from '../errors';
import {
  commitTree,
  getConfig,
  listRefs,
  readBlob,
  readTree,
  resolveRef,
  setConfig,
} from '../git/read';
import { parseSymlinkTarget } from './paths';
import { AnnexBranch } from './branch';
import { setUuidLogValue } from './logs';
import { findRepository, openRepository, type Repository } from './repository';
import { nowTimestamp } from './timestamp';

const HOOKS: Readonly<Record<string, string>> = {
  'pre-commit': 'git annex pre-commit .',
  'post-receive':
    'if git annex post-receive --help >/dev/null 2>&1; then git annex post-receive; fi',
  'post-checkout': 'git annex smudge --update',
  'post-merge': 'git annex smudge --update',
};

export function gitAnnexOnPath(env: NodeJS.ProcessEnv = process.env): boolean {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    try {
      accessSync(join(dir, 'git-annex'), constants.X_OK);
      return true;
    } catch {
      // keep looking
    }
  }
  return false;
}

export function defaultDescription(top: string): string {
  let user = 'user';
  try {
    user = userInfo().username;
  } catch {
    // keep the default
  }
  return `${user}@${hostname()}:${top}`;
}

/**
 * A repository with commits, no git-annex branch anywhere and no annexed file among the first
 * few thousand entries of its tree: someone's plain git project, not a clone of a git-annex one.
 */
async function isPlainGitProject(repo: Repository): Promise<boolean> {
  const head = await resolveRef(repo.git, 'HEAD');
  if (!head) return false;
  for (const prefix of ['refs/heads', 'refs/remotes']) {
    const refs = await listRefs(repo.git, prefix).catch(() => []);
    if (refs.some((r) => r.endsWith('/git-annex'))) return false;
  }
  const queue = [await commitTree(repo.git, head)];
  let seen = 0;
  while (queue.length > 0 && seen < 5000) {
    for (const e of await readTree(repo.git, queue.shift() ?? '')) {
      seen++;
      if (e.type === 'tree') queue.push(e.oid);
      else if (e.mode === '120000') {
        const target = Buffer.from(await readBlob(repo.git, e.oid)).toString('utf8');
        if (parseSymlinkTarget(target)) return false;
      }
    }
  }
  return true;
}

export interface InitResult {
  readonly repo: Repository;
  readonly isNewUuid: boolean;
  readonly hasGitAnnexIntegration: boolean;
}

export async function initRepository(
  path: string,
  options: {
    description?: string;
    withGitAnnexIntegration?: boolean;
    /** make an existing plain git project (with commits) a git-annex repository */
    convert?: boolean;
  } = {},
): Promise<InitResult> {
  const dir = resolve(path);
  if (!findRepository(dir)) {
    await fsp.mkdir(dir, { recursive: true });
    await initGitRepository(dir, 'master');
  }
  const repo = await openRepository(dir, { requireAnnex: false });
  const existing = await getConfig(repo.git, 'annex.uuid');
  if (!existing && !options.convert && (await isPlainGitProject(repo))) {
    const inside = repo.top === dir ? '' : `${dir} is inside the git repository ${repo.top}, and `;
    throw new FerryError(
      'usage',
      `${inside}${inside ? 'it' : repo.top} is a git project that is not a git-annex repository: Ferry would make all of it one and commit its untracked files. To do that on purpose, run "ferry init --convert" in ${repo.top}; to sync a folder of its own, choose a folder outside it`,
      { path: dir, top: repo.top },
    );
  }
  const uuid = existing ?? randomUUID();
  if (!existing) await setConfig(repo.git, 'annex.uuid', uuid);
  await setConfig(repo.git, 'annex.version', '10');
  repo.uuid = uuid;

  const integrate = options.withGitAnnexIntegration ?? gitAnnexOnPath();
  if (integrate && !repo.isBare) {
    await setConfig(repo.git, 'filter.annex.smudge', 'git-annex smudge -- %f');
    await setConfig(repo.git, 'filter.annex.clean', 'git-annex smudge --clean -- %f');
    await setConfig(repo.git, 'filter.annex.process', 'git-annex filter-process');
    const attributes = join(repo.gitdir, 'info', 'attributes');
    await fsp.mkdir(join(repo.gitdir, 'info'), { recursive: true });
    const current = await fsp.readFile(attributes, 'utf8').catch(() => '');
    if (!current.split('\n').includes('* filter=annex'))
      await fsp.writeFile(attributes, `${current}\n* filter=annex\n`);
    await fsp.mkdir(join(repo.gitdir, 'hooks'), { recursive: true });
    for (const [name, command] of Object.entries(HOOKS)) {
      const hook = join(repo.gitdir, 'hooks', name);
      const text = await fsp.readFile(hook, 'utf8').catch(() => undefined);
      if (text === undefined) {
        await fsp.writeFile(
          hook,
          `#!/bin/sh\n# automatically configured by git-annex\n${command}\n`,
          { mode: 0o755 },
        );
      }
    }
  }
  for (const sub of ['journal', 'othertmp', 'tmp', 'objects']) {
    await fsp.mkdir(join(repo.annexdir, sub), { recursive: true });
  }
  await fsp.writeFile(join(repo.annexdir, 'journal.lck'), '', { flag: 'a' });

  const branch = new AnnexBranch(repo);
  await branch.ensure();
  const description = options.description ?? defaultDescription(repo.top);
  await branch.changeMany(
    new Map([
      ['uuid.log', (old: string) => setUuidLogValue(old, uuid, description, nowTimestamp())],
    ]),
  );
  return { repo, isNewUuid: !existing, hasGitAnnexIntegration: integrate };
}
