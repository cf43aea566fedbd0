/**
 * What a special remote's storage is to Ferry: named objects to put, get, test and remove.
 * Each kind (a directory, an S3 bucket, a WebDAV share, an external program) is one file
 * implementing this; naming, chunking and encryption sit above it (`remotes/special.ts`), so
 * an object name here is always a key, a chunk key or an encrypted `GPGHMACSHA1--` name.
 */
import type { Availability } from '../remotes/remote';

export interface PutOptions {
  readonly signal?: AbortSignal;
  /** the object's length when known in advance (not for encrypted content) */
  readonly length?: number;
}

export interface SpecialStore {
  /**
   * Stores the bytes as `name`; a reader sees the object only once it is whole (a temporary
   * name, then a rename or MOVE). `from` is the offset the bytes start at, when `partial`
   * said the store kept an earlier attempt.
   */
  put(
    name: string,
    bytes: AsyncIterable<Buffer>,
    options: PutOptions & { from?: number },
  ): Promise<void>;
  /** The object's bytes, or undefined when the store does not have it. */
  get(name: string, signal?: AbortSignal): Promise<AsyncIterable<Buffer> | undefined>;
  has(name: string): Promise<boolean>;
  /** Removes the object; an object already absent is no error. */
  remove(name: string): Promise<void>;
  /**
   * Stores a file as it is (its name is the key's: an object of the store), where that saves a
   * copy; only for plain, unchunked content.
   */
  putFile?(
    name: string,
    path: string,
    onProgress?: (bytes: number) => void,
    signal?: AbortSignal,
  ): Promise<void>;
  /** Bytes of an earlier interrupted `put` of `name` it kept (0: none; only plain content). */
  partial?(name: string): Promise<number>;
  /** A cheap marker of the object's version (an ETag, a size and time): polling for changes. */
  stamp?(name: string): Promise<string | undefined>;
  /** Whether it can be used now, judged cheaply (no request for a network store). */
  availability(): Availability;
  /** One cheap request that tells whether the store answers (throws with why when not). */
  probe(): Promise<void>;
  close?(): Promise<void>;
}
