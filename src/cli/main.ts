/**
 * The `ferry` command: git-annex's verbs and meanings where they overlap. Exit codes: 0 success,
 * 1 some item failed, 2 usage error, 3 not a repository.
 */
import { errnoCode, FerryError, parcelWatch, runRemoteHelper, runShell } from '../engine';
import { terminalSafe } from './terminal';
import { parseArgs } from './args';
import { COMMANDS } from './commands';
import { errorMessage } from '../shared/errors';

const HELP = `Ferry keeps folders in sync across machines and drives; every Ferry repository is a
git-annex v10 repository.

Usage: ferry <command> [options] [paths...]

  init [description]          make this folder a Ferry (git-annex) repository (--convert: also
                              an existing plain git project)
  clone <url> [folder]        a new repository syncing with url: user@host:path, ssh://user@host/path,
                              a local path, or a special remote's annex::<uuid>?... URL (ferry info
                              prints it) (--description TEXT; content comes later, as wanted)
  initremote NAME type=T encryption=none|shared [chunk=SIZE] [k=v...] [--no-git]
                              a special remote, as git annex initremote: type=directory
                              (directory=PATH), S3 (bucket=...), webdav (url=...), external;
                              it carries the git history too unless --no-git
  enableremote NAME [k=v...]  use here a special remote another clone (or git-annex) made
  info REMOTE [--json]        what a remote is: type, UUID, encryption, chunking, where
  add [paths...]              put files into the content store, stage and commit them
  whereis [paths...]          list the repositories that hold each file's content
  get [paths...] [--from R]   fetch missing content from remote R (or the cheapest that has it)
  copy [paths...] --to R      send content to remote R  (or --from R to fetch)
  drop [paths...] [--from R]  remove content here (or on R) when enough copies exist elsewhere
  fsck [paths...]             verify checksums and the location log
  describe <repo> <text>      set a repository's description
  trust|semitrust|untrust|dead <repo>   set how far a repository's word is believed
  group <repo> [groups...]    show or add groups (client, backup, archive, transfer, ...)
  wanted <repo> [expression]  show or set preferred content (for example: standard)
  numcopies [N]               show or set how many copies of each file to keep
  sync [remotes...] [--add] [--content]
                              commit, pull, merge and push to every remote (as git annex sync);
                              --add also commits new files, --content also moves file content
  deletions [apply|keep ID]   changes from elsewhere that would delete many files (over 100 and
                              over 10 %), held until you apply them or keep your files
  map [--json|--dot]          the repositories reachable through remotes, links, costs and routes
  route FILE... [--json]     the route a file's content takes to every repository that wants it
  transfers [--json]          queued, running, waiting, failed and done transfers
  pause|resume [remote]       pause or resume transfers, all or one remote's (needs the assistant)
  cancel <id|key|remote>      cancel transfers
  ratelimit <rate|none> [remote]   limit transfer bandwidth, e.g. 5MB (per second)
  assistant [--no-drives]     watch this folder and sync it continuously (foreground; Ctrl-C stops);
                              drives holding a remote are synced when mounted (UDisks2, else the mount table)
  webapp [--port N] [DIR...]  serve the Ferry window on 127.0.0.1 (a URL with a key is printed),
                              syncing the given folders, this one, and those added in the UI
  status [--json] [--lacks]   the state of this repository (--lacks: what each remote lacks of
                              what it wants)
  status --why [paths] [--json]   each file not in sync here or on a remote, and why
  share [--json]              a one-time code another device joins this folder with
  join CODE [folder] [--address HOST:PORT]
                              sync a folder another device shares (found on this network)
  shell -c CMD                serve git-annex and git over ssh on this host (as git-annex-shell:
                              remote.<name>.annex-shell, or command="ferry shell" in authorized_keys)
  version                     print the version

Options: --json (machine-readable output), -C <dir> (run in <dir>), --force (drop without copies).
`;

export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly cwd: string;
}

const defaultIo: Io = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  cwd: process.cwd(),
};

export async function main(argv: readonly string[], given: Io = defaultIo): Promise<number> {
  // `ferry shell` speaks binary protocols on stdio: nothing of it passes the terminal filter
  if (argv[0] === 'shell') {
    const rc = await runShell(argv.slice(1), {
      stdin: process.stdin,
      stdout: process.stdout,
      err: (t) => process.stderr.write(t),
      env: process.env,
      watch: parcelWatch,
    });
    await new Promise<void>((r) => process.stdout.write('', () => r()));
    process.exit(rc);
  }
  // git-remote-ferry (bin/git-remote-ferry.mjs): git's remote-helper protocol on stdio
  if (argv[0] === 'remote-helper') {
    const rc = await runRemoteHelper(argv.slice(1), {
      stdin: process.stdin,
      stdout: process.stdout,
      err: (t) => process.stderr.write(terminalSafe(t)),
      cwd: given.cwd,
    });
    await new Promise<void>((r) => process.stdout.write('', () => r()));
    process.exit(rc);
  }
  // Everything printed passes through terminalSafe: names come from other repositories.
  const io: Io = {
    cwd: given.cwd,
    out: (t) => given.out(terminalSafe(t)),
    err: (t) => given.err(terminalSafe(t)),
  };
  let args = [...argv];
  let cwd = io.cwd;
  if (args[0] === '-C') {
    cwd = args[1] ?? cwd;
    args = args.slice(2);
  }
  const [name, ...rest] = args;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    io.out(HELP);
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.err(`ferry: unknown command "${name}"\n\n${HELP}`);
    return 2;
  }
  try {
    const parsed = parseArgs(rest, command.options ?? []);
    return await command.run(parsed, { ...io, cwd });
  } catch (e) {
    if (e instanceof FerryError) {
      if (rest.includes('--json')) io.out(`${JSON.stringify({ error: e.toJSON() })}\n`);
      io.err(`ferry ${name}: ${e.message}\n`);
      return e.code === 'usage'
        ? 2
        : e.code === 'not-a-repository' || e.code === 'not-initialized'
          ? 3
          : 1;
    }
    const code = errnoCode(e);
    if (process.env.FERRY_DEBUG && e instanceof Error) io.err(`${e.stack ?? ''}\n`);
    io.err(`ferry ${name}: ${errorMessage(e)}${code ? ` (${code})` : ''}\n`);
    return 1;
  }
}
