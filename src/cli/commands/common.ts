/** What every group of `ferry` verbs shares: the command shape, paths, the per-file runner. */
import { resolve } from 'node:path';
import {
  AnnexBranch,
  type AnnexedFile,
  FerryError,
  forEachLimit,
  keySize,
  listGitRemotes,
  openRemote,
  remoteKind,
  type Remote,
  openRepository,
  type Repository,
} from '../../engine';
import type { ParsedArgs } from '../args';
import type { Io } from '../main';
import { bar, formatBytes, progressLine } from '../progress';
import { errorMessage } from '../../shared/errors';

export interface Command {
  readonly options?: readonly string[];
  run(args: ParsedArgs, io: Io): Promise<number>;
}

export { VERSION } from '../../shared/version';

export function paths(args: ParsedArgs, io: Io): string[] {
  return (args.positional.length === 0 ? ['.'] : args.positional).map((p) => resolve(io.cwd, p));
}

export async function open(io: Io): Promise<{ repo: Repository; branch: AnnexBranch }> {
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
export async function eachFile(
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

/** The remotes content can move with now, opened as their kinds (unreachable and unsupported ones left out). */
export async function remoteRepos(repo: Repository): Promise<Remote[]> {
  const out: Remote[] = [];
  for (const info of await listGitRemotes(repo)) {
    if (!info.isAvailable || info.isIgnored || remoteKind(info) === 'unsupported') continue;
    try {
      out.push(await openRemote(repo, info));
    } catch {
      // not a git-annex repository, or gone, or unreachable: skip
    }
  }
  return out;
}
