/** Polls until a condition holds; fails with a description after `timeoutMs`. Not a timing assertion: a bound on waiting. */
import { setTimeout as sleep } from 'node:timers/promises';

export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 30000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`gave up waiting for: ${what}`);
    await sleep(50);
  }
}
