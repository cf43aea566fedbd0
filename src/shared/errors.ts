/** Stable error codes shared by the engine, the CLI and the UI. */
export type ErrorCode =
  | 'not-a-repository'
  | 'not-initialized'
  | 'invalid-key'
  | 'unsupported-platform'
  | 'lock-timeout'
  | 'lock-busy'
  | 'content-missing'
  | 'content-changed'
  | 'checksum-mismatch'
  | 'not-enough-copies'
  | 'remote-unknown'
  | 'remote-unavailable'
  | 'unreadable-file'
  | 'disk-full'
  | 'io-error'
  | 'git-error'
  | 'bad-object'
  | 'unsafe-path'
  | 'too-large'
  /** a remote or peer broke the protocol it speaks (the connection is dropped) */
  | 'protocol-error'
  /** a host refused our credentials, or wants a password or passphrase we cannot ask for */
  | 'auth-needed'
  /** a host's key is not known, or is not the one we know: refused, never bypassed */
  | 'host-key'
  /** a pairing code or a device was refused (wrong, used, expired, not paired) */
  | 'auth-failed'
  /** a device presented a key whose ID is not the one it was paired as */
  | 'peer-identity'
  /** a path that is not a folder one can sync (missing, a file, not a full path) */
  | 'not-a-folder'
  /** a folder inside a repository: its top is offered instead (`data.top`) */
  | 'inside-repository'
  /** the user must say yes first (`data` names the flag to send again: `create`, `confirm`) */
  | 'needs-confirmation'
  /** what was asked for is not there (a held change, a conflict, a history entry) */
  | 'not-found'
  /** the user cancelled what was under way */
  | 'cancelled'
  /** it took longer than it may, and was given up */
  | 'timeout'
  | 'usage';

/** The words of any thrown value: an Error's message, anything else as text. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
