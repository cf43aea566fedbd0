/**
 * Work on one thing (named by `key`) done one at a time in this process, in the order asked:
 * each waits for the one before it, whether that succeeded or failed. Not reentrant.
 */
const turns = new Map<string, Promise<unknown>>();

export async function inTurn<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const previous = turns.get(key) ?? Promise.resolve();
  const run = previous.then(fn, fn);
  const settled = run.catch(() => undefined);
  turns.set(key, settled);
  try {
    return await run;
  } finally {
    if (turns.get(key) === settled) turns.delete(key);
  }
}
