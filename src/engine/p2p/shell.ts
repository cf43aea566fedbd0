/**
 * `ferry shell`: git-annex-shell's server side, so a host with Ferry installed is an ssh remote
 * for Ferry clients and for git-annex clients (`remote.<name>.annex-shell`, or a forced command
 * in authorized_keys: `command="ferry shell"` reads SSH_ORIGINAL_COMMAND, and `ferry shell -c
 * CMD` works as a login shell). Commands: `configlist`, `p2pstdio`, `notifychanges`,
 * `inannex`, `git-upload-pack`, `git-receive-pack` (served by Ferry: no git binary needed) and
 * `true` (what ssh connection sharing runs). git-annex-shell's policy variables apply:
 * GIT_ANNEX_SHELL_READONLY, _APPENDONLY and _DIRECTORY; `--uuid U` refuses a repository that
 * is not U.
 */
import { homedir } from 'node:os';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { AnnexBranch } from '../annex/branch';
import { findObject } from '../annex/object-store';
import { openRepository, type Repository } from '../annex/repository';
import { FerryError } from '../errors';
import { serveReceivePack } from '../git/serve-receive-pack';
import { serveUploadPack, type ServiceIo } from '../git/serve-upload-pack';
import type { WatchFn } from '../sync/watcher';
import { watchRefs } from './ref-changes';
import { serveP2P, type ServeMode } from './server';

export interface ShellIo {
  readonly stdin: Readable;
  readonly stdout: Writable;
  err(text: string): void;
  readonly env: NodeJS.ProcessEnv;
  readonly watch: WatchFn;
}

/** Splits a command line as sh would for the quoting git and git-annex use ('', "", \). */
export function splitCommand(line: string): string[] {
  const out: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] ?? '';
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new FerryError('usage', 'an unterminated quote');
      word = (word ?? '') + line.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      let j = i + 1;
      let s = '';
      for (; j < line.length && line[j] !== '"'; j++) {
        if (line[j] === '\\' && j + 1 < line.length) j++;
        s += line[j] ?? '';
      }
      if (j >= line.length) throw new FerryError('usage', 'an unterminated quote');
      word = (word ?? '') + s;
      i = j;
    } else if (c === '\\' && i + 1 < line.length) {
      word = (word ?? '') + (line[++i] ?? '');
    } else if (/\s/.test(c)) {
      if (word !== undefined) out.push(word);
      word = undefined;
    } else word = (word ?? '') + c;
  }
  if (word !== undefined) out.push(word);
  return out;
}

/** The repository a client named: `~` and `/~/` are the home folder, as git-annex-shell takes them. */
function repoPath(dir: string | undefined, env: NodeJS.ProcessEnv): string {
  if (!dir) throw new FerryError('usage', 'no repository folder given');
  const home = env.HOME ?? homedir();
  let path = dir;
  if (path === '~' || path === '/~') path = home;
  else if (path.startsWith('~/')) path = join(home, path.slice(2));
  else if (path.startsWith('/~/')) path = join(home, path.slice(3));
  else if (!isAbsolute(path)) path = join(home, path);
  path = resolve(path);
  const limit = env.GIT_ANNEX_SHELL_DIRECTORY;
  if (limit) {
    const rel = relative(resolve(limit), path);
    if (rel.startsWith('..') || isAbsolute(rel))
      throw new FerryError('usage', `only repositories in ${limit} are served`);
  }
  return path;
}

function modeOf(env: NodeJS.ProcessEnv): ServeMode {
  if (env.GIT_ANNEX_SHELL_READONLY) return 'read-only';
  if (env.GIT_ANNEX_SHELL_APPENDONLY) return 'append-only';
  return 'full';
}

/** The words after the directory: positional ones, `--uuid U`, and `-- field=value ... --`. */
function options(words: readonly string[]): { rest: string[]; uuid?: string } {
  const rest: string[] = [];
  let uuid: string | undefined;
  for (let i = 0; i < words.length; i++) {
    const w = words[i] ?? '';
    if (w === '--uuid') uuid = words[++i];
    else if (w === '--') {
      while (i + 1 < words.length && words[i + 1] !== '--') i++;
      i++;
    } else rest.push(w);
  }
  return { rest, uuid };
}

async function openChecked(path: string, uuid: string | undefined): Promise<Repository> {
  const repo = await openRepository(path);
  if (uuid && repo.uuid !== uuid)
    throw new FerryError(
      'usage',
      `git-annex-shell: expected repository UUID ${uuid} but found UUID ${repo.uuid}`,
    );
  return repo;
}

function stdioService(io: ShellIo): ServiceIo {
  return {
    input: io.stdin as AsyncIterable<Buffer>,
    write: (b) =>
      new Promise((resolve, reject) => io.stdout.write(b, (e) => (e ? reject(e) : resolve()))),
  };
}

/** Runs one shell request; the exit code. */
export async function runShell(argv: readonly string[], io: ShellIo): Promise<number> {
  let words: string[];
  if (argv[0] === '-c') words = splitCommand(argv[1] ?? '');
  else if (argv.length === 0 && io.env.SSH_ORIGINAL_COMMAND)
    words = splitCommand(io.env.SSH_ORIGINAL_COMMAND);
  else words = [...argv];
  if (words[0] === 'git-annex-shell') words.shift();
  else if (/(^|\/)ferry$/.test(words[0] ?? '') && words[1] === 'shell') words.splice(0, 2);
  if (words[0] === 'git' && (words[1] === 'upload-pack' || words[1] === 'receive-pack'))
    words.splice(0, 2, `git-${words[1]}`);
  const [cmd, dir, ...more] = words;
  const { rest, uuid } = options(more);
  const mode = modeOf(io.env);
  try {
    switch (cmd) {
      case undefined:
        throw new FerryError(
          'usage',
          'ferry shell serves git-annex and git requests over ssh; it needs a command',
        );
      case 'true':
        return 0;
      case 'configlist': {
        const repo = await openRepository(repoPath(dir, io.env), { requireAnnex: false });
        io.stdout.write(`annex.uuid=${repo.uuid}\ncore.gcrypt-id=\n`);
        return 0;
      }
      case 'inannex': {
        const repo = await openChecked(repoPath(dir, io.env), uuid);
        for (const key of rest) if (!(await findObject(repo, key))) return 1;
        return 0;
      }
      case 'p2pstdio': {
        const repo = await openChecked(repoPath(dir, io.env), uuid);
        await serveP2P(
          { input: io.stdin, output: io.stdout },
          {
            repo,
            peer: 'the client',
            clientUuid: rest[0] ?? '',
            mode,
            log: (l) => io.err(`${l}\n`),
          },
        );
        // the location log changes of this session, committed as git-annex-shell does at its end
        await new AnnexBranch(repo).commit().catch(() => undefined);
        return 0;
      }
      case 'notifychanges': {
        const repo = await openChecked(repoPath(dir, io.env), uuid);
        const feed = await watchRefs(repo.gitdir, io.watch);
        feed.onChange((shas) => io.stdout.write(`CHANGED ${shas.join(' ')}\n`));
        io.stdout.write('READY\n');
        await new Promise<void>((r) => {
          io.stdin.once('end', r).once('close', r);
          io.stdin.resume();
        });
        await feed.close();
        return 0;
      }
      case 'git-upload-pack': {
        const repo = await openRepository(repoPath(dir, io.env), { requireAnnex: false });
        await serveUploadPack(repo.git, stdioService(io), 'the client');
        return 0;
      }
      case 'git-receive-pack': {
        const repo = await openRepository(repoPath(dir, io.env), { requireAnnex: false });
        await serveReceivePack(repo.git, stdioService(io), 'the client', {
          readOnly: mode === 'read-only',
        });
        return 0;
      }
      default:
        throw new FerryError('usage', `ferry shell does not serve ${JSON.stringify(cmd)}`);
    }
  } catch (e) {
    io.err(`ferry shell: ${(e as Error).message}\n`);
    return 1;
  }
}
