/**
 * A git service on another machine (`git-upload-pack` / `git-receive-pack` run over ssh), as
 * the pack protocol clients see it: bytes in, bytes out, and what the carrier said on failure.
 */
export type GitService = 'git-upload-pack' | 'git-receive-pack';

export interface ServiceConnection {
  readonly input: AsyncIterable<Buffer>;
  write(bytes: Buffer): Promise<void>;
  /** no more bytes from us (the service finishes its answer) */
  end(): void;
  /** ends the connection now */
  close(): void;
  /** what the carrier said on stderr */
  problem(): string;
}

export type ServiceConnector = (service: GitService) => ServiceConnection;

/** Git ref names Ferry accepts from another machine (git's check-ref-format, strictly). */
export function isSafeRefName(ref: string): boolean {
  if (!ref.startsWith('refs/') || ref.length > 1024) return false;
  if (ref.endsWith('/') || ref.endsWith('.') || ref.endsWith('.lock')) return false;
  for (const ch of ref) {
    const c = ch.charCodeAt(0);
    if (c <= 0x20 || c === 0x7f || '~^:?*[\\'.includes(ch)) return false;
  }
  if (ref.includes('..') || ref.includes('@{') || ref.includes('//')) return false;
  return ref.split('/').every((c) => c !== '' && !c.startsWith('.') && c.toLowerCase() !== '.git');
}
