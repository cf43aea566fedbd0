/**
 * What went wrong with an ssh connection, in words a user can act on, from what OpenSSH and
 * the host's shell said on stderr. Background work never prompts (BatchMode), so a missing key,
 * a locked agent or an unknown host key end here as a state, not a hang.
 */
import { FerryError } from '../errors';
import type { ErrorCode } from '../../shared/errors';
import { describeTarget, type SshTarget } from './url';

export type SshProblemKind =
  | 'auth-needed'
  | 'host-key-unknown'
  | 'host-key-changed'
  | 'unreachable'
  | 'no-git-annex'
  | 'not-a-repository'
  | 'other';

export interface SshProblem {
  readonly kind: SshProblemKind;
  readonly message: string;
}

/** The last meaningful line of what ssh or the host said (for a message). */
function lastLine(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('@@@') && !/^Warning: Permanently added/.test(l));
  return (lines.at(-1) ?? '').slice(0, 300);
}

export function classifySsh(stderr: string, target: SshTarget): SshProblem {
  const where = describeTarget(target);
  const host = target.host;
  if (/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key for .* has changed/i.test(stderr))
    return {
      kind: 'host-key-changed',
      message: `the host key of ${host} has changed since it was last seen; Ferry refuses to connect. If the host was reinstalled, remove its old key with "ssh-keygen -R ${host}" and connect once with ssh to accept the new one`,
    };
  if (/Host key verification failed|No .*host key is known|host key is not known/i.test(stderr))
    return {
      kind: 'host-key-unknown',
      message: `${host}'s host key is not known yet; connect once with "ssh ${host}" in a terminal to check and accept it`,
    };
  if (
    /Permission denied|Too many authentication failures|Authentication failed|passphrase|password/i.test(
      stderr,
    )
  )
    return {
      kind: 'auth-needed',
      message: `${host} did not accept this computer's ssh keys (authentication needed): add your public key to ~/.ssh/authorized_keys on ${host}, or unlock your ssh agent`,
    };
  if (
    /Could not resolve hostname|Name or service not known|Connection refused|timed out|No route to host|Network is unreachable|Connection closed by|Connection reset/i.test(
      stderr,
    )
  )
    return { kind: 'unreachable', message: `${host} cannot be reached: ${lastLine(stderr)}` };
  if (/git-annex-shell.*(not found|No such file)|command not found/i.test(stderr))
    return {
      kind: 'no-git-annex',
      message: `git-annex is not installed on ${host} (no git-annex-shell there); install git-annex on the host`,
    };
  if (
    /Not a git-annex|not a git repository|does not appear to be a git repository|No such file or directory|expected repository UUID/i.test(
      stderr,
    )
  )
    return {
      kind: 'not-a-repository',
      message: `${where} is not the git-annex repository this remote names: ${lastLine(stderr)}`,
    };
  const said = lastLine(stderr);
  return { kind: 'other', message: `ssh to ${host} failed${said ? `: ${said}` : ''}` };
}

const CODES: Record<SshProblemKind, ErrorCode> = {
  'auth-needed': 'auth-needed',
  'host-key-unknown': 'host-key',
  'host-key-changed': 'host-key',
  unreachable: 'remote-unavailable',
  'no-git-annex': 'remote-unavailable',
  'not-a-repository': 'not-a-repository',
  other: 'remote-unavailable',
};

export function sshError(problem: SshProblem, remote: string): FerryError {
  return new FerryError(CODES[problem.kind], problem.message, { remote, problem: problem.kind });
}
