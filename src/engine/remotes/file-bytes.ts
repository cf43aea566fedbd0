/** A file's bytes for an upload: from an offset, rate-limited, with progress, stopping on abort. */
import { createReadStream } from 'node:fs';
import type { MoveOptions } from './remote';

/** `length` bytes (all the rest when undefined) of the file from `at`; progress counts from `at`. */
export async function* fileBytes(
  path: string,
  at: number,
  length: number | undefined,
  o: MoveOptions,
): AsyncGenerator<Buffer> {
  let done = at;
  o.onProgress?.(done);
  if (length !== undefined && length <= 0) return;
  const stream = createReadStream(path, {
    start: at,
    ...(length !== undefined ? { end: at + length - 1 } : {}),
    highWaterMark: 1 << 20,
    signal: o.signal,
  });
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    if (o.throttle) await o.throttle(chunk.length);
    o.signal?.throwIfAborted();
    yield chunk;
    done += chunk.length;
    o.onProgress?.(done);
  }
}
