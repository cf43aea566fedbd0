/**
 * What `npm start` runs where Electron is not installed: the same engine and the same window,
 * served headless on 127.0.0.1 (see webapp.ts), with the reason printed first.
 */
import { runWebapp } from './webapp';

export async function runHeadless(
  cwd: string,
  why: string,
  out: (t: string) => void = (t) => process.stdout.write(t),
): Promise<number> {
  out(`Ferry (headless: ${why})\n`);
  return runWebapp({ cwd, folders: [], out });
}
