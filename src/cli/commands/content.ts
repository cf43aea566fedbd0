/** Content: add, whereis, get, copy, drop, fsck. */
import {
  PresenceBulk,
  addPaths,
  type AnnexedFile,
  annexedFiles,
  copyKey,
  copyVerifier,
  depopulateUnlocked,
  describeUuids,
  dropKey,
  type DropTarget,
  FerryError,
  findObject,
  findRemote,
  forEachLimit,
  fsckKey,
  getKey,
  listGitRemotes,
  localDropTarget,
  openRemote,
  openLocalRemote,
  openRepository,
  populateUnlocked,
  readSettings,
  whereIs,
} from '../../engine';
import { errorMessage } from '../../shared/errors';
import { bar, formatBytes, progressLine } from '../progress';
import { eachFile, open, paths, remoteRepos, type Command } from './common';

export const CONTENT_COMMANDS: Readonly<Record<string, Command>> = {
  add: {
    async run(args, io) {
      const json = args.flags.has('json');
      const repo = await openRepository(io.cwd);
      const line = progressLine();
      const started = Date.now();
      const result = await addPaths(repo, paths(args, io), {
        mode: args.flags.has('unlocked')
          ? 'unlocked'
          : args.flags.has('locked')
            ? 'locked'
            : undefined,
        onProgress: (p) => {
          const secs = (Date.now() - started) / 1000;
          line.update(
            `add ${bar(p.filesTotal > 0 ? p.filesDone / p.filesTotal : 1)} ${p.filesDone}/${p.filesTotal} files, ${formatBytes(p.bytesDone)} (${formatBytes(secs > 0 ? p.bytesDone / secs : 0)}/s)${p.current ? ` ${p.current}` : ''}`,
          );
        },
      });
      line.done();
      for (const a of result.annexed) {
        io.out(
          json
            ? `${JSON.stringify({ command: 'add', file: a.path, key: a.key, success: true })}\n`
            : `add ${a.path} ok\n`,
        );
      }
      for (const g of result.toGit) {
        io.out(
          json
            ? `${JSON.stringify({ command: 'add', file: g, key: null, success: true, git: true })}\n`
            : `add ${g} (non-large file; adding content to git repository) ok\n`,
        );
      }
      for (const s of result.skipped) io.err(`add: warning: ${s.message}\n`);
      for (const f of result.failed) {
        if (json)
          io.out(
            `${JSON.stringify({ command: 'add', file: f.path, success: false, error: { code: f.code, message: f.message } })}\n`,
          );
        io.err(`add ${f.path} failed: ${f.message}\n`);
      }
      if (!json && result.commit)
        io.out(
          `committed ${result.annexed.length + result.toGit.length} files (${result.commit.slice(0, 7)})\n`,
        );
      return result.failed.length > 0 ? 1 : 0;
    },
  },

  whereis: {
    async run(args, io) {
      const json = args.flags.has('json');
      const { repo, branch } = await open(io);
      const names = await describeUuids(branch);
      const remotes = await listGitRemotes(repo);
      const files = await annexedFiles(repo, paths(args, io));
      // the logs are read several at a time, and printed in order
      const wheres = new Array<string[]>(files.length);
      await forEachLimit(files, 16, async (file, i) => {
        wheres[i] = await whereIs(branch, file.key);
      });
      for (const [i, file] of files.entries()) {
        const where = wheres[i] ?? [];
        const entries = where.map((uuid) => ({
          uuid,
          description: names.get(uuid) ?? '',
          here: uuid === repo.uuid,
          remotes: remotes.filter((r) => r.uuid === uuid).map((r) => r.name),
        }));
        if (json) {
          io.out(
            `${JSON.stringify({ command: 'whereis', file: file.path, key: file.key, whereis: entries, success: true })}\n`,
          );
        } else {
          io.out(
            `whereis ${file.path} (${where.length} ${where.length === 1 ? 'copy' : 'copies'})\n`,
          );
          for (const e of entries) {
            const label = [e.description, ...e.remotes.map((r) => `[${r}]`), e.here ? '[here]' : '']
              .filter((s) => s !== '')
              .join(' ');
            io.out(`  \t${e.uuid} -- ${label}\n`);
          }
          io.out('ok\n');
        }
      }
      return 0;
    },
  },

  get: {
    options: ['from'],
    async run(args, io) {
      const json = args.flags.has('json');
      const { repo, branch } = await open(io);
      const from = args.options.get('from');
      const remotes = (await remoteRepos(repo)).filter(
        (r) => from === undefined || r.name === from,
      );
      if (from !== undefined && remotes.length === 0) {
        const info = await findRemote(repo, from);
        await openLocalRemote(repo, info);
      }
      const files = await annexedFiles(repo, paths(args, io));
      const presence = new PresenceBulk();
      const code = await eachFile(io, json, 'get', files, async (file, onBytes) => {
        if (await findObject(repo, file.key)) {
          await populateUnlocked(repo, [file]);
          return undefined;
        }
        const listed = await whereIs(branch, file.key);
        const ordered = [...remotes].sort(
          (a, b) => Number(listed.includes(b.uuid)) - Number(listed.includes(a.uuid)),
        );
        // a remote whose copy fails (corrupt, unreachable) gives way to the next that has one
        let failure: Error | undefined;
        for (const r of ordered) {
          try {
            const how = { onProgress: onBytes, file: file.path, presence };
            if (await getKey(repo, branch, r, file.key, how))
              return `from ${r.name}...${failure ? ` (another copy failed: ${errorMessage(failure).slice(0, 160)})` : ''}`;
          } catch (e) {
            failure ??= e instanceof Error ? e : new Error(String(e));
          }
        }
        if (failure) throw failure;
        throw new FerryError(
          'content-missing',
          `no reachable remote has the content (${listed.length} known ${listed.length === 1 ? 'copy' : 'copies'} elsewhere)`,
          {
            key: file.key,
          },
        );
      }).finally(() => presence.flush());
      await branch.commit();
      return code;
    },
  },

  copy: {
    options: ['to', 'from'],
    async run(args, io) {
      const to = args.options.get('to');
      const from = args.options.get('from');
      if ((to === undefined) === (from === undefined))
        throw new FerryError('usage', 'copy needs exactly one of --to REMOTE or --from REMOTE');
      if (from !== undefined)
        return CONTENT_COMMANDS.get!.run({ ...args, options: new Map([['from', from]]) }, io);
      const json = args.flags.has('json');
      const { repo, branch } = await open(io);
      const info = await findRemote(repo, to ?? '');
      const remote = await openRemote(repo, info);
      const files = await annexedFiles(repo, paths(args, io));
      // both sides' location logs in batches, after the content of each is there
      const presence = new PresenceBulk();
      const code = await eachFile(io, json, 'copy', files, async (file, onBytes) => {
        if (!(await findObject(repo, file.key))) return undefined;
        const r = await copyKey(repo, branch, remote, file.key, {
          onProgress: onBytes,
          file: file.path,
          presence,
        });
        return r === 'copied' ? `to ${info.name}...` : `already on ${info.name}`;
      }).finally(() => presence.flush());
      await remote.bookkeeping?.branch.commit();
      await branch.commit();
      return code;
    },
  },

  drop: {
    options: ['from'],
    async run(args, io) {
      const json = args.flags.has('json');
      const force = args.flags.has('force');
      const { repo, branch } = await open(io);
      const settings = await readSettings(repo, branch);
      const from = args.options.get('from');
      let target: DropTarget = localDropTarget(repo);
      const branches = [branch];
      if (from !== undefined) {
        const remote = await openRemote(repo, await findRemote(repo, from));
        target = remote;
        if (remote.bookkeeping) branches.push(remote.bookkeeping.branch);
      }
      const verifier = await copyVerifier(repo, branch, await remoteRepos(repo));
      const files = await annexedFiles(repo, paths(args, io));
      const dropped: AnnexedFile[] = [];
      const code = await eachFile(io, json, 'drop', files, async (file) => {
        const r = await dropKey(target, branches, file.key, verifier, settings.numcopies, force);
        if (r === 'not-present') return undefined;
        dropped.push(file);
        return from === undefined ? '' : `from ${from}...`;
      });
      if (from === undefined) await depopulateUnlocked(repo, dropped);
      for (const b of branches) await b.commit();
      return code;
    },
  },

  fsck: {
    async run(args, io) {
      const json = args.flags.has('json');
      const { repo, branch } = await open(io);
      const settings = await readSettings(repo, branch);
      const files = await annexedFiles(repo, paths(args, io));
      let bad = 0;
      const checked = new Set<string>();
      for (const file of files) {
        if (checked.has(file.key)) continue;
        checked.add(file.key);
        const problems = await fsckKey(repo, branch, file.key, settings.numcopies, file.path);
        const isBad = problems.some(
          (p) => p.problem === 'bad-content' || p.problem === 'too-few-copies',
        );
        if (isBad) bad++;
        if (json)
          io.out(
            `${JSON.stringify({ command: 'fsck', file: file.path, key: file.key, success: !isBad, problems })}\n`,
          );
        else {
          for (const p of problems) io.err(`  ${p.message}\n`);
          io.out(`fsck ${file.path} ${isBad ? 'failed' : 'ok'}\n`);
        }
      }
      await branch.commit();
      if (!json) io.out(`fsck: ${checked.size} keys checked, ${bad} with problems\n`);
      return bad > 0 ? 1 : 0;
    },
  },
};
