/** Special remotes: `initremote`, `enableremote` and `info`, with git-annex's verbs and parameters. */
import {
  enableRemote,
  cloneUrlOf,
  FerryError,
  initRemote,
  listGitRemotes,
  openRepository,
  parseParams,
  readRemoteLog,
  SPECIAL_KINDS,
} from '../../engine';
import type { Command } from './common';

/** remote.log fields never printed: the shared cipher (it opens every object). */
const SECRET_FIELDS = new Set(['cipher', 'cipherkeys']);

export const SPECIAL_COMMANDS: Readonly<Record<string, Command>> = {
  initremote: {
    async run(args, io) {
      const [name, ...rest] = args.positional;
      if (!name)
        throw new FerryError(
          'usage',
          `usage: ferry initremote NAME type=TYPE encryption=none|shared [chunk=SIZE] [k=v...]\n  types: ${SPECIAL_KINDS.map((k) => k.type).join(', ')}`,
        );
      const repo = await openRepository(io.cwd);
      const made = await initRemote(repo, name, parseParams(rest), SPECIAL_KINDS, {
        history: !args.flags.has('no-git'),
      });
      if (args.flags.has('json'))
        io.out(
          `${JSON.stringify({ name: made.name, uuid: made.uuid, type: made.fields.get('type') })}\n`,
        );
      else io.out(`initremote ${made.name} (${made.fields.get('type')}, ${made.uuid}) ok\n`);
      return 0;
    },
  },

  enableremote: {
    async run(args, io) {
      const [name, ...rest] = args.positional;
      const repo = await openRepository(io.cwd);
      if (!name) {
        const known = [...(await readRemoteLog(repo)).values()]
          .map((f) => `${f.get('name') ?? '?'} (${f.get('type') ?? '?'})`)
          .join(', ');
        throw new FerryError(
          'usage',
          `usage: ferry enableremote NAME [k=v...]${known ? `\n  special remotes: ${known}` : ''}`,
        );
      }
      const made = await enableRemote(repo, name, parseParams(rest), SPECIAL_KINDS, {
        history: !args.flags.has('no-git'),
      });
      if (args.flags.has('json'))
        io.out(
          `${JSON.stringify({ name: made.name, uuid: made.uuid, type: made.fields.get('type') })}\n`,
        );
      else io.out(`enableremote ${made.name} (${made.fields.get('type')}, ${made.uuid}) ok\n`);
      return 0;
    },
  },

  info: {
    async run(args, io) {
      const [name] = args.positional;
      if (!name) throw new FerryError('usage', 'usage: ferry info REMOTE [--json]');
      const repo = await openRepository(io.cwd);
      const remote = (await listGitRemotes(repo)).find((r) => r.name === name);
      const log = await readRemoteLog(repo);
      const fields =
        (remote?.uuid ? log.get(remote.uuid) : undefined) ??
        [...log.values()].find((f) => f.get('name') === name);
      if (!remote && !fields)
        throw new FerryError('remote-unknown', `there is no remote named "${name}"`, {
          remote: name,
        });
      const shown = [...(fields ?? new Map<string, string>())].filter(
        ([k]) => !SECRET_FIELDS.has(k),
      );
      const remoteUuid = remote?.uuid ?? [...log].find(([, f]) => f === fields)?.[0];
      const info = {
        name,
        uuid: remoteUuid,
        type: fields?.get('type') ?? (remote?.path ? 'git (local path)' : 'git'),
        url: remote?.url && !remote.url.startsWith('annex::') ? remote.url : undefined,
        directory: remote?.specialLocation,
        cost: remote?.cost,
        enabled: remote !== undefined,
        reachable: remote?.isAvailable ?? false,
        config: Object.fromEntries(shown),
        cloneUrl:
          fields && remoteUuid
            ? cloneUrlOf(remoteUuid, fields, remote?.specialLocation)
            : undefined,
      };
      if (args.flags.has('json')) {
        io.out(`${JSON.stringify(info)}\n`);
        return 0;
      }
      io.out(`remote: ${info.name}\nuuid: ${info.uuid ?? '(not known yet)'}\ntype: ${info.type}\n`);
      if (info.url && !info.url.startsWith('annex::')) io.out(`url: ${info.url}\n`);
      if (info.directory) io.out(`directory: ${info.directory}\n`);
      if (fields) {
        const chunk = fields.get('chunk');
        io.out(
          `encryption: ${fields.get('encryption') ?? 'none'}${fields.has('cipher') ? ' (the shared cipher is in remote.log)' : ''}\n`,
        );
        io.out(`chunking: ${chunk ? `${chunk} chunks` : 'none'}\n`);
        for (const [k, v] of shown)
          if (!['type', 'name', 'encryption', 'chunk'].includes(k)) io.out(`${k}: ${v}\n`);
      }
      io.out(`enabled here: ${info.enabled ? 'yes' : `no (ferry enableremote ${name})`}\n`);
      if (fields && info.uuid) {
        io.out(
          `git history: ${remote?.url.startsWith('annex::') ? 'yes (synced through it)' : 'no'}\n`,
        );
        io.out(
          `clone URL${fields.has('cipher') ? ' (secret: it holds the encryption cipher)' : ''}:\n  ${info.cloneUrl}\n`,
        );
      }
      if (info.cost !== undefined)
        io.out(`cost: ${info.cost}\nreachable: ${info.reachable ? 'yes' : 'no'}\n`);
      return 0;
    },
  },
};
