/**
 * `ferry deletions [apply|keep ID]`: the changes from elsewhere that would delete many files,
 * held by the guard until the user decides; `apply` merges one as it is, `keep` merges it
 * keeping the files it deletes. A running assistant carries the answer out at once; otherwise
 * this command syncs to do it.
 */
import {
  decideDeletion,
  FerryError,
  heldDeletions,
  openRepository,
  sendControl,
  syncRepository,
} from '../../engine';
import { describeEvent } from '../../shared/event-text';
import type { Command } from './common';

const count = (n: number): string => n.toLocaleString('en-US');

export const DELETION_COMMANDS: Readonly<Record<string, Command>> = {
  deletions: {
    async run(args, io) {
      const repo = await openRepository(io.cwd);
      const [verb, id] = args.positional;
      if (verb === undefined) {
        const held = heldDeletions(repo);
        if (args.flags.has('json')) {
          for (const h of held) io.out(`${JSON.stringify(h)}\n`);
          return 0;
        }
        if (held.length === 0) io.out('no change is held: nothing deleted many files\n');
        for (const h of held) {
          io.out(
            `${h.id.slice(0, 8)}  ${h.from} deleted ${count(h.deleted)} of ${count(h.total)} files (${new Date(h.at).toLocaleString()}), for example:\n`,
          );
          for (const p of h.sample.slice(0, 5)) io.out(`    ${p}\n`);
        }
        if (held.length > 0)
          io.out(
            'ferry deletions apply ID: delete them here too; ferry deletions keep ID: keep them\n',
          );
        return 0;
      }
      if ((verb !== 'apply' && verb !== 'keep') || !id)
        throw new FerryError('usage', 'usage: ferry deletions [apply|keep ID]');
      const held = decideDeletion(repo, id, verb === 'keep');
      io.out(
        verb === 'keep'
          ? `keeping the ${count(held.deleted)} files ${held.from} deleted\n`
          : `deleting here the ${count(held.deleted)} files ${held.from} deleted\n`,
      );
      const told = await sendControl(repo.annexdir, 'syncNow', undefined).catch(() => undefined);
      if (told?.ok) {
        io.out('the running assistant carries it out now\n');
        return 0;
      }
      await syncRepository(repo, { commit: false, events: (e) => io.out(`${describeEvent(e)}\n`) });
      return 0;
    },
  },
};
