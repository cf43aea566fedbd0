/** One entry per `ferry` verb. Each prints human text, or JSON lines with --json. */
import { resolve } from 'node:path';
import {
  addPaths,
  AnnexBranch,
  type AnnexedFile,
  annexedFiles,
  buildNetworkMap,
  type ControlRequest,
  copyKey,
  copyVerifier,
  createNodeEngine,
  depopulateUnlocked,
  describeUuids,
  dropKey,
  externalSnapshot,
  FerryError,
  findObject,
  findRemote,
  floodTransfers,
  forEachLimit,
  fsckKey,
  getKey,
  groupsOf,
  initRepository,
  keySize,
  listFailedTransfers,
  listGitRemotes,
  listRunningTransfers,
  LocalRepoRemote,
  mapToDot,
  mapToText,
  numcopiesSetting,
  openLocalRemote,
  openRepository,
  parseSize,
  populateUnlocked,
  preferredContent,
  readSettings,
  type Repository,
  repositoryStatus,
  resolveRepository,
  sendControl,
  setDescription,
  setGroups,
  setNumcopies,
  setPreferredContent,
  setTrust,
  syncRepository,
  Transferrer,
  type TrustLevel,
  trustOf,
  whereIs,
} from '../engine';
import type { TransferSnapshot } from '../shared/transfers';
import { describeEngineEvent, describeEvent, describeTransfer } from './describe-event';
import { runWebapp, untilStopped } from './webapp';
import type { ParsedArgs } from './args';
import type { Io } from './main';
import { bar, formatBytes, progressLine } from './progress';
import { errorMessage } from '../shared/errors';

export interface Command {
  readonly options?: readonly string[];
  run(args: ParsedArgs, io: Io): Promise<number>;
}

const VERSION = '0.1.0';

function paths(args: ParsedArgs, io: Io): string[] {
  return (args.positional.length === 0 ? ['.'] : args.positional).map((p) => resolve(io.cwd, p));
}

async function open(io: Io): Promise<{ repo: Repository; branch: AnnexBranch }> {
  const repo = await openRepository(io.cwd);
  const branch = new AnnexBranch(repo);
  await branch.update();
  return { repo, branch };
}

/**
 * Runs a per-file action with a progress line, collecting failures; returns the exit code.
 * Distinct keys run four at a time (their fsyncs overlap on the disk); files sharing a key
 * run after, when the first has settled it.
 */
async function eachFile(
  io: Io,
  json: boolean,
  verb: string,
  files: readonly AnnexedFile[],
  action: (file: AnnexedFile, onBytes: (n: number) => void) => Promise<string | undefined>,
): Promise<number> {
  const line = progressLine();
  let failures = 0;
  let finished = 0;
  const one = async (file: AnnexedFile): Promise<void> => {
    const total = keySize(file.key) ?? 0;
    const started = Date.now();
    try {
      const note = await action(file, (n) => {
        const secs = (Date.now() - started) / 1000;
        const rate = secs > 0 ? n / secs : 0;
        line.update(
          `${verb} ${file.path} ${bar(total > 0 ? n / total : 1)} ${formatBytes(n)}/${formatBytes(total)} ${formatBytes(rate)}/s (${finished + 1}/${files.length})`,
        );
      });
      line.done();
      if (note !== undefined) {
        if (json)
          io.out(
            `${JSON.stringify({ command: verb, file: file.path, key: file.key, success: true, note })}\n`,
          );
        else io.out(`${verb} ${file.path} ${note === '' ? 'ok' : `(${note}) ok`}\n`);
      }
    } catch (e) {
      line.done();
      failures++;
      const err = e instanceof FerryError ? e : new FerryError('io-error', errorMessage(e));
      if (json)
        io.out(
          `${JSON.stringify({ command: verb, file: file.path, key: file.key, success: false, error: err.toJSON() })}\n`,
        );
      else io.err(`${verb} ${file.path} failed: ${err.message}\n`);
    } finally {
      finished++;
    }
  };
  const seen = new Set<string>();
  const first: AnnexedFile[] = [];
  const rest: AnnexedFile[] = [];
  for (const f of files) {
    (seen.has(f.key) ? rest : first).push(f);
    seen.add(f.key);
  }
  await forEachLimit(first, 4, one);
  for (const f of rest) await one(f);
  if (failures > 0 && !json) io.err(`${verb}: ${failures} of ${files.length} failed\n`);
  return failures > 0 ? 1 : 0;
}

async function remoteRepos(repo: Repository): Promise<LocalRepoRemote[]> {
  const out: LocalRepoRemote[] = [];
  for (const info of await listGitRemotes(repo)) {
    if (!info.isAvailable || info.isIgnored) continue;
    try {
      out.push(await LocalRepoRemote.open(repo, info));
    } catch {
      // not a git-annex repository, or gone: skip
    }
  }
  return out;
}

export const COMMANDS: Readonly<Record<string, Command>> = {
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
      const code = await eachFile(io, json, 'get', files, async (file, onBytes) => {
        if (await findObject(repo, file.key)) {
          await populateUnlocked(repo, [file]);
          return undefined;
        }
        const listed = await whereIs(branch, file.key);
        const ordered = [...remotes].sort(
          (a, b) => Number(listed.includes(b.uuid)) - Number(listed.includes(a.uuid)),
        );
        for (const r of ordered) {
          if (await getKey(repo, branch, r, file.key, { onProgress: onBytes, file: file.path }))
            return `from ${r.name}...`;
        }
        throw new FerryError(
          'content-missing',
          `no reachable remote has the content (${listed.length} known ${listed.length === 1 ? 'copy' : 'copies'} elsewhere)`,
          {
            key: file.key,
          },
        );
      });
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
        return COMMANDS.get!.run({ ...args, options: new Map([['from', from]]) }, io);
      const json = args.flags.has('json');
      const { repo, branch } = await open(io);
      const info = await findRemote(repo, to ?? '');
      const remote = await LocalRepoRemote.open(repo, info);
      const files = await annexedFiles(repo, paths(args, io));
      const code = await eachFile(io, json, 'copy', files, async (file, onBytes) => {
        if (!(await findObject(repo, file.key))) return undefined;
        const r = await copyKey(repo, branch, remote, file.key, {
          onProgress: onBytes,
          file: file.path,
        });
        return r === 'copied' ? `to ${info.name}...` : `already on ${info.name}`;
      });
      await remote.bookkeeping.branch.commit();
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
      const remotes = await listGitRemotes(repo);
      const from = args.options.get('from');
      let target = repo;
      const branches = [branch];
      if (from !== undefined) {
        target = await openLocalRemote(repo, await findRemote(repo, from));
        branches.push(new AnnexBranch(target));
      }
      const verifier = await copyVerifier(repo, branch, remotes);
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

  sync: {
    async run(args, io) {
      const json = args.flags.has('json');
      const repo = await openRepository(io.cwd);
      const report = await syncRepository(repo, {
        remotes: args.positional.length > 0 ? args.positional : undefined,
        includeUntracked: args.flags.has('add'),
        events: (e) => io.out(json ? `${JSON.stringify(e)}\n` : `${describeEvent(e)}\n`),
      });
      let transfersFailed = 0;
      let second: Awaited<ReturnType<typeof syncRepository>> | undefined;
      if (args.flags.has('content')) {
        const failedIds = new Set<string>();
        const transfers = new Transferrer(repo, {
          events: (e) => {
            if (e.type !== 'transfer-changed') return;
            if (e.transfer.state === 'failed') failedIds.add(e.transfer.id);
            if (e.transfer.state === 'done') failedIds.delete(e.transfer.id);
            if (json) io.out(`${JSON.stringify(e)}\n`);
            else if (e.transfer.state === 'done' || e.transfer.state === 'failed')
              io.out(`${describeTransfer(e.transfer)}\n`);
          },
        });
        await transfers.scan();
        await transfers.whenIdle();
        await transfers.stop();
        transfersFailed = failedIds.size;
        // record and send the location changes
        second = await syncRepository(repo, {
          commit: false,
          remotes: args.positional.length > 0 ? args.positional : undefined,
        });
      }
      const failed = [...report.remotes, ...(second?.remotes ?? [])].filter(
        (r) => r.pushed === 'failed',
      );
      const failedRemotes = new Map(failed.map((f) => [f.remote, f]));
      for (const f of failedRemotes.values())
        io.err(`sync: pushing to ${f.remote} failed: ${f.reason ?? 'unknown reason'}\n`);
      for (const r of report.refused)
        io.err(`sync: ${describeEvent({ type: 'ref-refused', repo: repo.top, at: 0, ...r })}\n`);
      if (transfersFailed > 0)
        io.err(`sync: ${transfersFailed} transfer(s) failed (see "ferry transfers")\n`);
      const isOk = failedRemotes.size === 0 && report.refused.length === 0 && transfersFailed === 0;
      if (!json) io.out(isOk ? 'sync ok\n' : 'sync finished with errors\n');
      return isOk ? 0 : 1;
    },
  },

  assistant: {
    async run(args, io) {
      const json = args.flags.has('json');
      const repo = await openRepository(io.cwd);
      const print = (text: string): void => io.out(`${new Date().toLocaleTimeString()} ${text}\n`);
      const log = (m: string): void =>
        json
          ? io.out(`${JSON.stringify({ type: 'log', message: m, at: Date.now() })}\n`)
          : print(m);
      // the same composition root as the desktop app and ferry webapp, with this one folder
      const node = await createNodeEngine({
        folders: [repo.top],
        drives: !args.flags.has('no-drives'),
        log,
      });
      const { engine } = node;
      engine.on((e) => {
        if (json) {
          if (e.type !== 'activity') io.out(`${JSON.stringify(e)}\n`);
          return;
        }
        const line = describeEngineEvent(e);
        if (line) print(line);
      });
      await engine.start();
      if (!engine.folders().includes(repo.top)) {
        await node.stop();
        throw new FerryError('io-error', `cannot sync ${repo.top} (see the message above)`);
      }
      if (!json) print(`watching ${repo.top}; press Ctrl-C to stop`);
      await untilStopped();
      await node.stop();
      if (!json) print('stopped');
      return 0;
    },
  },

  transfers: {
    async run(args, io) {
      const json = args.flags.has('json');
      const repo = await openRepository(io.cwd);
      const answer = await sendControl(repo.annexdir, { cmd: 'transfers' });
      let list: TransferSnapshot[];
      let note = '';
      if (answer?.ok) {
        list = answer.transfers ?? [];
        if (answer.control.isPaused) note = 'all transfers are paused (ferry resume)\n';
        else if (answer.control.pausedRemotes.length > 0)
          note = `paused remotes: ${answer.control.pausedRemotes.join(', ')}\n`;
      } else {
        note = 'no assistant is running here; showing transfers recorded on disk\n';
        list = [
          ...listRunningTransfers(repo.annexdir).map((t) => externalSnapshot(t, 'running', t.uuid)),
          ...listFailedTransfers(repo.annexdir).map((t) => externalSnapshot(t, 'failed', t.uuid)),
        ];
      }
      if (json) {
        io.out(
          `${JSON.stringify({ transfers: list, control: answer?.ok ? answer.control : null })}\n`,
        );
        return 0;
      }
      io.out(note);
      if (list.length === 0) io.out('no transfers\n');
      for (const t of list) io.out(`${describeTransfer(t)}\n`);
      return 0;
    },
  },

  pause: controlCommand((args) => ({ cmd: 'pause', remote: args.positional[0] })),
  resume: controlCommand((args) => ({ cmd: 'resume', remote: args.positional[0] })),
  cancel: controlCommand((args) => {
    const target = args.positional[0];
    if (!target) throw new FerryError('usage', 'usage: ferry cancel <transfer id | key | remote>');
    return { cmd: 'cancel', target };
  }),
  ratelimit: controlCommand((args) => {
    const [rate, remote] = args.positional;
    const bytes =
      rate === undefined
        ? undefined
        : rate === 'none' || rate === '0'
          ? 0
          : parseSize(rate.replace(/\/s$/, ''));
    if (bytes === undefined)
      throw new FerryError(
        'usage',
        'usage: ferry ratelimit <bytes per second, e.g. 5MB, or none> [remote]',
      );
    return { cmd: 'ratelimit', bytesPerSecond: bytes, remote };
  }),

  webapp: {
    options: ['port'],
    async run(args, io) {
      const port = args.options.get('port');
      if (port !== undefined && !/^\d+$/.test(port))
        throw new FerryError('usage', '--port takes a port number');
      return runWebapp({
        cwd: io.cwd,
        folders: args.positional,
        port: port === undefined ? undefined : Number(port),
        drives: !args.flags.has('no-drives'),
        out: io.out,
      });
    },
  },

  map: {
    async run(args, io) {
      const repo = await openRepository(io.cwd);
      const map = await buildNetworkMap(repo);
      if (args.flags.has('json')) io.out(`${JSON.stringify(map)}\n`);
      else if (args.flags.has('dot')) io.out(mapToDot(map));
      else io.out(mapToText(map));
      return 0;
    },
  },

  route: {
    async run(args, io) {
      const json = args.flags.has('json');
      const { repo } = await open(io);
      const files = await annexedFiles(repo, paths(args, io));
      if (args.positional.length === 0)
        throw new FerryError('usage', 'usage: ferry route FILE... [--json]');
      if (files.length === 0)
        throw new FerryError('usage', `no annexed file matches ${args.positional.join(' ')}`);
      const transfers = new Transferrer(repo, { routing: 'route' });
      await transfers.refresh();
      const map = transfers.networkMap();
      if (!map) throw new FerryError('io-error', 'the network map could not be read');
      const name = (uuid: string): string =>
        map.nodes.find((n) => n.uuid === uuid)?.description ?? uuid;
      for (const file of files) {
        const plan = await transfers.planFor(file.key, file.path);
        const size = keySize(file.key) ?? 0;
        const flood = floodTransfers(map, plan.holders, plan.wanting);
        const cost = plan.hops.reduce((n, h) => n + h.cost, 0);
        const floodCost = flood.reduce((n, h) => n + h.cost, 0);
        if (json) {
          io.out(
            `${JSON.stringify({ file: file.path, key: file.key, size, holders: [...plan.holders], wanting: [...plan.wanting], hops: plan.hops, unreachable: plan.unreachable, cost, bytes: size * plan.hops.length, flooding: { transfers: flood.length, cost: floodCost, bytes: size * flood.length } })}\n`,
          );
          continue;
        }
        io.out(`${file.path} (${formatBytes(size)})\n`);
        io.out(`  has it: ${[...plan.holders].map(name).join(', ') || 'nobody reachable'}\n`);
        if (plan.hops.length === 0)
          io.out('  nothing to send: every repository that wants it has it\n');
        else {
          io.out(
            `  route: ${plan.hops.length} ${plan.hops.length === 1 ? 'transfer' : 'transfers'}, ${formatBytes(size * plan.hops.length)}, link cost ${cost} (flooding: ${flood.length} ${flood.length === 1 ? 'transfer' : 'transfers'}, ${formatBytes(size * flood.length)}, link cost ${floodCost})\n`,
          );
          for (const h of plan.hops) {
            const path: string[] = [name(h.to)];
            for (let at = h.from; ;) {
              path.unshift(name(at));
              const up = plan.hops.find((x) => x.to === at);
              if (!up) break;
              at = up.from;
            }
            io.out(`    ${path.join(' -> ')}  (via "${h.remote}", cost ${h.cost})\n`);
          }
        }
        for (const u of plan.unreachable)
          io.out(
            `  cannot reach ${name(u)} now: it wants the file but no link that is up leads there\n`,
          );
      }
      await transfers.stop();
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
      const repo = await openRepository(io.cwd);
      const status = await repositoryStatus(repo);
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
          `remote ${r.name}: ${r.url || `(${r.kind})`} cost ${r.cost} ${r.isAvailable ? 'reachable' : 'unreachable'}${r.uuid ? ` (${r.uuid})` : ''}${r.note && r.kind === 'unsupported' ? `\n  ${r.note}` : ''}\n`,
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

function controlCommand(build: (args: ParsedArgs) => ControlRequest): Command {
  return {
    async run(args, io) {
      const repo = await openRepository(io.cwd);
      const answer = await sendControl(repo.annexdir, build(args));
      if (!answer) {
        throw new FerryError(
          'remote-unavailable',
          'no assistant is running in this repository (start one with "ferry assistant")',
        );
      }
      if (!answer.ok) throw new FerryError('io-error', answer.error);
      if (args.flags.has('json')) io.out(`${JSON.stringify(answer)}\n`);
      else {
        const c = answer.control;
        io.out(
          `${c.isPaused ? 'all transfers paused' : c.pausedRemotes.length > 0 ? `paused: ${c.pausedRemotes.join(', ')}` : 'transfers running'}` +
            `${c.rateLimit > 0 ? `, limit ${formatBytes(c.rateLimit)}/s` : ''}` +
            `${answer.affected !== undefined ? ` (${answer.affected} affected)` : ''}\n`,
        );
      }
      return 0;
    },
  };
}

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
