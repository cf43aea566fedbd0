import { setImmediate as yieldToLoop } from 'node:timers/promises';

/**
 * Runs `fn` over items with at most `limit` in flight. Every 64 items it yields to the event
 * loop, so timers and I/O callbacks still run when `fn` completes synchronously.
 */
export async function forEachLimit<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      if (i % 64 === 63) await yieldToLoop();
      await fn(items[i] as T, i);
    }
  });
  await Promise.all(workers);
}
