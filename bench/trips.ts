/** A saved file's trip from one assistant's work tree to another's, with its content. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** `count` saved files' trips from `a`'s work tree to `b`'s, with content (ms each). */
export async function trips(
  a: string,
  b: string,
  count = 7,
  limitMs = 30_000,
  pauseMs = 1000,
  /** receives each trip's start (ms since the epoch), for reading traces afterwards */
  starts?: number[],
): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const name = `saved-${i}.txt`;
    const body = `saved ${i} ${Date.now()}\n`;
    const t = Date.now();
    starts?.push(t);
    writeFileSync(join(a, name), body);
    const deadline = t + limitMs;
    for (;;) {
      const p = join(b, name);
      try {
        if (existsSync(p) && readFileSync(p, 'utf8') === body) break;
      } catch {
        // not there yet (a link without content)
      }
      if (Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    samples.push(Date.now() - t);
    await new Promise((r) => setTimeout(r, pauseMs));
  }
  return samples;
}

export const median = (xs: readonly number[]): number | undefined =>
  [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
