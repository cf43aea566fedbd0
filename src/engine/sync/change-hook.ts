/**
 * `ferry.changehook`: a program run (without a shell) after each commit or merge, with
 * `FERRY_REPOSITORY`, `FERRY_CHANGE` (commit or merge) and `FERRY_UUID`. A hook that cannot run
 * or exits non-zero is reported, never fatal.
 */
import { spawn } from 'node:child_process';
import type { Repository } from '../annex/repository';
import { getConfig } from '../git/read';

/** Runs the hook if one is set; resolves with why it failed, or undefined. */
export async function runChangeHook(
  repo: Repository,
  reason: 'commit' | 'merge',
): Promise<string | undefined> {
  const program = await getConfig(repo.git, 'ferry.changehook');
  if (!program) return undefined;
  return new Promise<string | undefined>((resolve) => {
    const child = spawn(program, [], {
      stdio: 'ignore',
      env: {
        ...process.env,
        FERRY_REPOSITORY: repo.top,
        FERRY_CHANGE: reason,
        FERRY_UUID: repo.uuid,
      },
    });
    child.on('error', (e) => resolve(`${program}: ${e.message}`));
    child.on('exit', (code) =>
      resolve(code === 0 ? undefined : `${program} exited with ${code ?? 'a signal'}`),
    );
  });
}
