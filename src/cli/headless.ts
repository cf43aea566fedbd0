/**
 * The headless mode `npm start` falls back to where Electron is not installed. For now it shows
 * the state of the current folder's repository and says what is coming: the assistant (watch,
 * commit, sync) and the web UI served on 127.0.0.1.
 */
import { openRepository } from '../engine/annex/repository';
import { FerryError } from '../engine/errors';
import { repositoryStatus } from '../engine/status';
import { formatBytes } from './progress';

export async function runHeadless(
  cwd: string,
  why: string,
  out: (t: string) => void = (t) => process.stdout.write(t),
): Promise<number> {
  out(`Ferry (headless: ${why})\n`);
  try {
    const status = await repositoryStatus(await openRepository(cwd));
    out(`repository ${status.description} (${status.uuid}) at ${status.top}\n`);
    out(
      `  ${status.annexedFiles} annexed files, ${status.presentFiles} with content here (${formatBytes(status.presentBytes)})\n`,
    );
    for (const r of status.remotes)
      out(`  remote ${r.name}: ${r.isAvailable ? 'reachable' : 'unreachable'} (${r.url})\n`);
  } catch (e) {
    if (!(e instanceof FerryError)) throw e;
    out(`${e.message}\n`);
  }
  out(
    'Coming next: "ferry assistant" to watch and sync this folder, and the web UI on 127.0.0.1.\n',
  );
  out('Use "npx ferry help" for the commands available now.\n');
  return 0;
}
