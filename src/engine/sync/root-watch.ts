/**
 * Waiting for a repository's folder to come back after it disappeared (a drive unplugged
 * under a watched folder, a folder moved away): checks once a second whether its git directory
 * is there again, until it is or the wait is cancelled.
 */
import { existsSync } from 'node:fs';

export function waitForRoot(gitdir: string, onBack: () => void, everyMs = 1000): () => void {
  let timer: NodeJS.Timeout | undefined;
  let isCancelled = false;
  const check = (): void => {
    if (isCancelled) return;
    if (existsSync(gitdir)) onBack();
    else timer = setTimeout(check, everyMs);
  };
  timer = setTimeout(check, everyMs);
  return () => {
    isCancelled = true;
    if (timer) clearTimeout(timer);
  };
}
