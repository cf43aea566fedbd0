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
  | 'usage';
