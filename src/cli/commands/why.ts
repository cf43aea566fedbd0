/** `ferry status --why [paths] [--json]`: each file that is not in sync, where, and why. */
import { relative, resolve } from 'node:path';
import { sendControl, whyNotSynced } from '../../engine';
import type { ParsedArgs } from '../args';
import type { Io } from '../main';
import { open } from './common';

export async function statusWhy(args: ParsedArgs, io: Io): Promise<number> {
  const { repo, branch } = await open(io);
  const under = args.positional.map((p) => relative(repo.top, resolve(io.cwd, p)));
  // the running assistant knows what its transfers are doing
  const answer = await sendControl(repo.annexdir, 'listTransfers', { limit: 10_000 }).catch(
    () => undefined,
  );
  const live = answer?.ok ? answer.value : undefined;
  const entries = await whyNotSynced(repo, branch, {
    under: under.length > 0 ? under : undefined,
    transfers: live?.transfers,
    control: live?.control,
    limit: 10_000,
  });
  if (args.flags.has('json')) {
    for (const e of entries) io.out(`${JSON.stringify(e)}\n`);
    return 0;
  }
  if (entries.length === 0) {
    io.out('everything here and on the remotes is in sync (as each one wants)\n');
    return 0;
  }
  if (!live)
    io.out(
      '(no assistant is running here: nothing moves until one does, or ferry sync --content)\n',
    );
  for (const e of entries)
    io.out(`${e.path} ${e.remote ? `-> ${e.remote}` : '(here)'}: ${e.text}\n`);
  return 0;
}
