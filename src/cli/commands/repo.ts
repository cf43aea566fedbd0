/** The repository itself: version, init, clone, descriptions, trust, groups, preferred content, numcopies, status. */
import {
  cloneDirFor,
  isAnnexUrl,
  cloneRepository,
  FerryError,
  groupsOf,
  initRepository,
  listGitRemotes,
  numcopiesSetting,
  openRepository,
  preferredContent,
  repositoryStatus,
  resolveRepository,
  setDescription,
  setGroups,
  setNumcopies,
  setPreferredContent,
  setTrust,
  type TrustLevel,
  trustOf,
} from '../../engine';
import { resolve } from 'node:path';
import { formatBytes } from '../progress';
import { lacksText } from '../../shared/format';
import { statusWhy } from './why';
import { open, VERSION, type Command } from './common';

export const REPO_COMMANDS: Readonly<Record<string, Command>> = {
  version: {
    run(_args, io) {
      io.out(`ferry version ${VERSION}\nrepository version: 10\n`);
      return Promise.resolve(0);
    },
  },

  init: {
    async run(args, io) {
      const description = args.positional.join(' ') || undefined;
      const result = await initRepository(io.cwd, {
        description,
        convert: args.flags.has('convert'),
      });
      if (args.flags.has('json')) {
        io.out(
          `${JSON.stringify({ command: 'init', uuid: result.repo.uuid, success: true, gitAnnexIntegration: result.hasGitAnnexIntegration })}\n`,
        );
      } else {
        io.out(`init ${description ?? ''} ok\n`);
        if (!result.hasGitAnnexIntegration) {
          io.out(
            '(git-annex is not installed here: its git filter and hooks were not set up; run "git annex init" later to add them)\n',
          );
        }
      }
      return 0;
    },
  },

  clone: {
    options: ['description'],
    async run(args, io) {
      const [url, target] = args.positional;
      if (!url)
        throw new FerryError(
          'usage',
          'usage: ferry clone <user@host:path | ssh://... | path | annex::uuid?...> [folder]',
        );
      const dir = target ? resolve(io.cwd, target) : cloneDirFor(url, io.cwd);
      const json = args.flags.has('json');
      if (!json)
        io.out(
          `cloning ${isAnnexUrl(url) ? `the special remote ${url.slice(7, 43)}` : url} into ${dir}...\n`,
        );
      const repo = await cloneRepository(url, dir, {
        description: args.options.get('description'),
      });
      if (json)
        io.out(
          `${JSON.stringify({ command: 'clone', path: repo.top, uuid: repo.uuid, success: true })}\n`,
        );
      else io.out(`clone ok: ${repo.top} (run "ferry assistant" there to keep it in sync)\n`);
      return 0;
    },
  },

  describe: {
    async run(args, io) {
      const [target, ...words] = args.positional;
      if (!target || words.length === 0)
        throw new FerryError('usage', 'usage: ferry describe <repository|here> <description>');
      const { repo, branch } = await open(io);
      const uuid = await resolveRepository(branch, repo.uuid, await listGitRemotes(repo), target);
      await setDescription(branch, uuid, words.join(' '));
      await branch.commit();
      io.out(`describe ${target} ok\n`);
      return 0;
    },
  },

  trust: trustCommand('trusted'),
  semitrust: trustCommand('semitrusted'),
  untrust: trustCommand('untrusted'),
  dead: trustCommand('dead'),

  group: {
    async run(args, io) {
      const [target, ...groups] = args.positional;
      if (!target) throw new FerryError('usage', 'usage: ferry group <repository|here> [group...]');
      const { repo, branch } = await open(io);
      const uuid = await resolveRepository(branch, repo.uuid, await listGitRemotes(repo), target);
      if (groups.length === 0) {
        io.out(`${(await groupsOf(branch, uuid)).join(' ')}\n`);
        return 0;
      }
      await setGroups(branch, uuid, [...(await groupsOf(branch, uuid)), ...groups]);
      await branch.commit();
      io.out(`group ${target} ok\n`);
      return 0;
    },
  },

  wanted: {
    async run(args, io) {
      const [target, ...expr] = args.positional;
      if (!target)
        throw new FerryError('usage', 'usage: ferry wanted <repository|here> [expression]');
      const { repo, branch } = await open(io);
      const uuid = await resolveRepository(branch, repo.uuid, await listGitRemotes(repo), target);
      if (expr.length === 0) {
        io.out(`${(await preferredContent(branch, uuid)) ?? ''}\n`);
        return 0;
      }
      await setPreferredContent(branch, uuid, expr.join(' '));
      await branch.commit();
      io.out(`wanted ${target} ok\n`);
      return 0;
    },
  },

  numcopies: {
    async run(args, io) {
      const { branch } = await open(io);
      const [n] = args.positional;
      if (n === undefined) {
        const current = await numcopiesSetting(branch);
        io.out(
          current === undefined ? 'global numcopies is not set\n(default is 1)\n' : `${current}\n`,
        );
        return 0;
      }
      await setNumcopies(branch, Number(n));
      await branch.commit();
      io.out(`numcopies ${n} ok\n`);
      return 0;
    },
  },

  status: {
    async run(args, io) {
      if (args.flags.has('why')) return statusWhy(args, io);
      const repo = await openRepository(io.cwd);
      const status = await repositoryStatus(repo, { withLacks: args.flags.has('lacks') });
      if (args.flags.has('json')) {
        io.out(`${JSON.stringify(status, null, 2)}\n`);
        return 0;
      }
      io.out(`repository: ${status.description} (${status.uuid})\n`);
      io.out(`top: ${status.top}\nbranch: ${status.branch ?? '(none)'}\n`);
      io.out(
        `annexed files: ${status.annexedFiles} (${status.presentFiles} with content here, ${formatBytes(status.presentBytes)})\n`,
      );
      io.out(`numcopies: ${status.numcopies}\n`);
      for (const r of status.remotes) {
        io.out(
          `remote ${r.name}: ${r.url || `(${r.kind})`} cost ${r.cost} ${r.isAvailable ? 'reachable' : 'unreachable'}${r.uuid ? ` (${r.uuid})` : ''}${r.lacks ? `, ${lacksText(r.lacks)}` : ''}${r.note && r.kind === 'unsupported' ? `\n  ${r.note}` : ''}\n`,
        );
      }
      if (status.pendingJournal > 0)
        io.out(
          `${status.pendingJournal} location changes not yet committed to the git-annex branch\n`,
        );
      return 0;
    },
  },
};

function trustCommand(level: TrustLevel): Command {
  return {
    async run(args, io) {
      const targets = args.positional;
      if (targets.length === 0)
        throw new FerryError(
          'usage',
          `usage: ferry ${level.replace(/ed$/, '')} <repository|here>...`,
        );
      const { repo, branch } = await open(io);
      const remotes = await listGitRemotes(repo);
      for (const target of targets) {
        const uuid = await resolveRepository(branch, repo.uuid, remotes, target);
        await setTrust(branch, uuid, level);
        io.out(`${level} ${target}: ${await trustOf(branch, uuid)} ok\n`);
      }
      await branch.commit();
      return 0;
    },
  };
}
