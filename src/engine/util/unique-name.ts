import { randomBytes } from 'node:crypto';

/**
 * Names for temporary files that no other process picks: a random prefix drawn once per process,
 * then a counter. Drawing random bytes for every name cost a getpid and a DRBG round each (about
 * 24 µs), which showed in adds of thousands of files; a clash still fails loudly, since every
 * such file is made with O_EXCL, link or symlink.
 */
const prefix = randomBytes(4).toString('hex');
let counter = 0;

/** 8 or more lowercase hex digits, never the same twice in this process. */
export function uniqueSuffix(): string {
  counter = (counter + 1) % Number.MAX_SAFE_INTEGER;
  return `${prefix}${counter.toString(16)}`;
}
